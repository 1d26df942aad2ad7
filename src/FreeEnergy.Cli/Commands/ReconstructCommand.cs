using System.CommandLine;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Commands.Rbm;
using FreeEnergy.Cli.Infrastructure;

namespace FreeEnergy.Cli.Commands;

/// <summary><c>freeenergy reconstruct --model MODEL --data PATH --out CSV|PNG</c>: mean-field reconstructions.</summary>
internal static class ReconstructCommand
{
    public static Command Create()
    {
        var model = RbmCli.ModelPath();
        var data = RbmCli.DataPath();
        var maxRows = RbmCli.MaxRows();
        var labelColumn = RbmCli.LabelColumn();
        var threads = CommonOptions.Threads();
        var output = RbmCli.Out("CSV file for the reconstructions, .parquet for Parquet, or .png for an image grid (square image rows).");
        var json = CommonOptions.Json();
        var command = new Command("reconstruct", "Reconstruct each row (mean field v -> h -> v); reports the mean squared error.");
        foreach (var o in new Option[] { model, data, labelColumn, maxRows, threads, output, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            OutputPath.CheckFile(parse.GetValue(output)!);
            var backend = RbmCli.Backend(parse, threads);
            var rbm = RbmCli.LoadAny(parse.GetValue(model)!, backend);
            var set = RbmCli.ReadData(parse, data, maxRows: maxRows, labelColumn: labelColumn);
            RbmCli.CheckData(rbm, set);
            var recon = rbm.Reconstruct(set.Features.View);
            double sum = 0;
            var a = set.Features.Data;
            for (int i = 0; i < a.Length; i++) { double e = a[i] - recon.Data[i]; sum += e * e; }
            double mse = sum / Math.Max(1, a.Length);
            var outPath = parse.GetValue(output)!;
            if (outPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) SampleCommand.WriteGrid(outPath, recon, null, $"Reconstructions of {recon.Rows} rows");
            else RbmCli.WriteMatrix(outPath, recon, "v");
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
                JsonOutput.Write(parse, new JsonObject { ["model"] = rbm.Kind, ["rows"] = recon.Rows, ["meanSquaredError"] = mse, ["out"] = Path.GetFullPath(outPath) }, backend: backend.Name);
            else stdout.WriteLine($"reconstructed {recon.Rows} rows (mean squared error {mse:F5}); wrote {outPath}");
            return ExitCodes.Success;
        });
        return command;
    }
}

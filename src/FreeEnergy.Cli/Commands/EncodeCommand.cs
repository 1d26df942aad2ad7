using System.CommandLine;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Commands.Rbm;
using FreeEnergy.Cli.Infrastructure;

namespace FreeEnergy.Cli.Commands;

/// <summary><c>freeenergy encode --model MODEL --data PATH --out CSV</c>: p(h=1|v) per row.</summary>
internal static class EncodeCommand
{
    public static Command Create()
    {
        var model = RbmCli.ModelPath();
        var data = RbmCli.DataPath();
        var maxRows = RbmCli.MaxRows();
        var labelColumn = RbmCli.LabelColumn();
        var threads = CommonOptions.Threads();
        var output = RbmCli.Out("CSV file for the encodings (h0, h1, ...); Parquet when the name ends with .parquet.");
        var json = CommonOptions.Json();
        var command = new Command("encode", "Encode each row: hidden-unit probabilities p(h=1|v) for RBMs, the latent mean for VAEs.");
        foreach (var o in new Option[] { model, data, labelColumn, maxRows, threads, output, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            OutputPath.CheckFile(parse.GetValue(output)!);
            var backend = RbmCli.Backend(parse, threads);
            var rbm = RbmCli.LoadAny(parse.GetValue(model)!, backend);
            var set = RbmCli.ReadData(parse, data, maxRows: maxRows, labelColumn: labelColumn);
            RbmCli.CheckData(rbm, set);
            var encoded = rbm.Encode(set.Features.View);
            var outPath = parse.GetValue(output)!;
            RbmCli.WriteMatrix(outPath, encoded, rbm is Models.RbmBase ? "h" : "z");
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
                JsonOutput.Write(parse, new JsonObject { ["model"] = rbm.Kind, ["rows"] = encoded.Rows, ["columns"] = encoded.Columns, ["out"] = Path.GetFullPath(outPath) }, backend: backend.Name);
            else stdout.WriteLine($"encoded {encoded.Rows} rows into {encoded.Columns} columns; wrote {outPath}");
            return ExitCodes.Success;
        });
        return command;
    }
}

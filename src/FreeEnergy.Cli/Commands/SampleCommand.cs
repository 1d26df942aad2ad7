using System.CommandLine;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Commands.Rbm;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Cli.Commands;

/// <summary><c>freeenergy sample --model MODEL --count N --out FILE.png|FILE.csv</c>: Gibbs samples.</summary>
internal static class SampleCommand
{
    public static Command Create()
    {
        var model = RbmCli.ModelPath();
        var count = new Option<int>("--count") { Description = "Samples to draw.", DefaultValueFactory = _ => 64 };
        var burnIn = new Option<int>("--burn-in") { Description = "Gibbs steps before the first sample.", DefaultValueFactory = _ => 1000 };
        var thinning = new Option<int>("--thinning") { Description = "Gibbs steps between samples of one chain.", DefaultValueFactory = _ => 100 };
        var chains = new Option<int>("--chains") { Description = "Parallel chains (0 = one per sample).", DefaultValueFactory = _ => 0 };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => 1f };
        var width = new Option<int?>("--image-width") { Description = "PNG tile width (default: the square root of the visible count)." };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var output = RbmCli.Out(".png for an image grid (image-shaped data), .parquet for Parquet, otherwise CSV.");
        var json = CommonOptions.Json();
        var command = new Command("sample", "Draw samples from a model by block-Gibbs sampling; PNG grid for image-shaped data.");
        foreach (var o in new Option[] { model, count, burnIn, thinning, chains, temperature, width, seed, threads, output, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var rbm = RbmCli.LoadModel(parse.GetValue(model)!, RbmCli.Backend(parse, threads));
            int n = CommonOptions.Range("--count", parse.GetValue(count), 1, 1_000_000);
            float t = parse.GetValue(temperature);
            if (!(t > 0) || !float.IsFinite(t)) throw new CliException($"--temperature must be positive (got {t}).");
            var options = new RbmSamplingOptions
            {
                BurnIn = CommonOptions.Range("--burn-in", parse.GetValue(burnIn), 0, 100_000_000),
                Thinning = CommonOptions.Range("--thinning", parse.GetValue(thinning), 1, 100_000_000),
                Chains = CommonOptions.Range("--chains", parse.GetValue(chains), 0, 1_000_000),
                Temperature = t,
                Seed = parse.GetValue(seed),
            };
            var outPath = parse.GetValue(output)!;
            bool png = outPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
            int? tile = parse.GetValue(width);
            if (png) TileShape(rbm.Visible, tile); // fail before sampling
            var samples = rbm.Sample(n, options);
            if (png) WriteGrid(outPath, samples, tile, $"{samples.Rows} samples from {Path.GetFileName(parse.GetValue(model))}");
            else RbmCli.WriteMatrix(outPath, samples, "v");
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
                JsonOutput.Write(stdout, new JsonObject { ["model"] = rbm.Kind, ["samples"] = n, ["format"] = png ? "png" : "csv", ["out"] = Path.GetFullPath(outPath) });
            else stdout.WriteLine($"drew {n} samples; wrote {outPath}");
            return ExitCodes.Success;
        });
        return command;
    }

    internal static (int Width, int Height) TileShape(int visible, int? width)
    {
        int w = width ?? (int)Math.Round(Math.Sqrt(visible));
        if (w <= 0 || visible % w != 0)
            throw new CliException(width is null
                ? $"{visible} visible units are not a square image; give --image-width or write a .csv."
                : $"--image-width {w} does not divide the {visible} visible units.");
        return (w, visible / w);
    }

    internal static void WriteGrid(string path, Matrix rows, int? width, string title)
    {
        var (w, h) = TileShape(rows.Columns, width);
        int columns = (int)Math.Ceiling(Math.Sqrt(rows.Rows));
        Plots.PlotFiles.WriteImageGrid(path, rows, w, h, columns, maxImages: rows.Rows, title: title);
    }
}

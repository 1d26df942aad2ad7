using System.CommandLine;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Commands.Rbm;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Cli.Commands;

/// <summary>
/// <c>freeenergy sample --model MODEL --count N --out FILE.png|FILE.csv</c>: block-Gibbs samples of an RBM, or a VAE's
/// decoder means (optionally Bernoulli draws, <c>--binary</c>) at latent codes drawn from its prior (a two-level VAE: z2 from
/// N(0, t^2 I), z1 the mean of p(z1|z2), or a draw from it with <c>--draw-z1</c>).
/// </summary>
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
        var binary = new Option<bool>("--binary") { Description = "vae, vae2 (Bernoulli likelihood): draw each value as 0 or 1 from the decoder's probabilities instead of showing the probabilities." };
        var drawLower = new Option<bool>("--draw-z1") { Description = "vae2: draw z1 from p(z1|z2) (its spread scaled by the temperature) instead of taking the mean of p(z1|z2)." };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var output = RbmCli.Out(".png for an image grid (image-shaped data), .parquet for Parquet, otherwise CSV.");
        var json = CommonOptions.Json();
        var command = new Command("sample", "Draw samples from a model (RBM: block-Gibbs sampling; VAE: z ~ N(0, I) through the decoder; two-level VAE: z2 ~ N(0, I), z1 = the mean of p(z1|z2)); PNG grid for image-shaped data.");
        foreach (var o in new Option[] { model, count, burnIn, thinning, chains, temperature, width, binary, drawLower, seed, threads, output, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            OutputPath.CheckFile(parse.GetValue(output)!);
            var loaded = RbmCli.LoadAny(parse.GetValue(model)!, RbmCli.Backend(parse, threads));
            int n = CommonOptions.Range("--count", parse.GetValue(count), 1, 1_000_000);
            float t = parse.GetValue(temperature);
            if (!(t > 0) || !float.IsFinite(t)) throw new CliException($"--temperature must be positive (got {t}).");
            var outPath = parse.GetValue(output)!;
            bool png = outPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
            int? tile = parse.GetValue(width);
            if (png) TileShape(loaded.InputDimension, tile); // fail before sampling
            if (parse.GetValue(drawLower) && loaded is not HierarchicalVae) throw new CliException("--draw-z1 applies to two-level VAEs (vae2); this is a " + loaded.Kind + " model.");
            if (loaded is IVariationalModel vae)
            {
                foreach (var gibbs in new Option[] { burnIn, thinning, chains })
                    if (parse.GetResult(gibbs) is System.CommandLine.Parsing.OptionResult { Implicit: false })
                        throw new CliException($"{gibbs.Name} applies to RBMs (Gibbs chains); a VAE draws each sample directly from its prior.");
                bool draw = parse.GetValue(binary);
                ulong s = parse.GetValue(seed);
                // One-level: z ~ N(0, (t r)^2 I); two-level: z2 ~ N(0, t^2 I), z1 the mean of p(z1|z2) or a draw (--draw-z1).
                var (means, likelihood) = vae switch
                {
                    HierarchicalVae h => (h.Sample(n, t, s, parse.GetValue(drawLower)), h.Likelihood),
                    Models.Vae one => (one.Sample(n, t, s), one.Likelihood),
                    _ => throw new CliException($"sample draws from RBMs and VAEs; this is a {vae.Kind} model."),
                };
                if (draw && likelihood != VaeLikelihood.Bernoulli) throw new CliException("--binary draws 0/1 values from a Bernoulli decoder; this VAE has a Gaussian likelihood.");
                Write(parse, json, outPath, png, tile, draw ? BinaryDraws(means, s) : means, vae.Kind, vae.Backend.Name);
                return ExitCodes.Success;
            }
            if (parse.GetValue(binary)) throw new CliException("--binary applies to VAEs; RBM samples are already binary draws (Bernoulli RBM).");
            var rbm = loaded as RbmBase ?? throw new CliException($"sample draws from RBMs and VAEs; this is a {loaded.Kind} model.");
            var options = new RbmSamplingOptions
            {
                BurnIn = CommonOptions.Range("--burn-in", parse.GetValue(burnIn), 0, 100_000_000),
                Thinning = CommonOptions.Range("--thinning", parse.GetValue(thinning), 1, 100_000_000),
                Chains = CommonOptions.Range("--chains", parse.GetValue(chains), 0, 1_000_000),
                Temperature = t,
                Seed = parse.GetValue(seed),
            };
            Matrix samples;
            using (WorkProgress.Start(parse, $"Gibbs sampling ({n} samples, burn-in {options.BurnIn})", indeterminate: true))
                samples = rbm.Sample(n, options);
            Write(parse, json, outPath, png, tile, samples, rbm.Kind, rbm.Backend.Name);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Each decoded probability replaced in place by a 0/1 draw (1 with that probability; Philox, from <paramref name="seed"/>).</summary>
    private static Matrix BinaryDraws(Matrix means, ulong seed)
    {
        var uniform = new float[means.Data.Length];
        Philox.FillUniform(seed, Philox.Stream(BinaryDrawStream), 0, uniform);
        for (int i = 0; i < uniform.Length; i++) means.Data[i] = uniform[i] < means.Data[i] ? 1f : 0f;
        return means;
    }

    /// <summary>The Philox stream of the <c>--binary</c> draws (distinct from the model's own streams).</summary>
    private const ulong BinaryDrawStream = 0x5A3B;

    private static void Write(ParseResult parse, Option<bool> json, string outPath, bool png, int? tile, Matrix samples, string kind, string backend)
    {
        if (png) WriteGrid(outPath, samples, tile, $"{samples.Rows} samples from a {kind} model");
        else RbmCli.WriteMatrix(outPath, samples, "v");
        if (parse.GetValue(json))
            JsonOutput.Write(parse, new JsonObject { ["samples"] = samples.Rows, ["format"] = png ? "png" : outPath.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? "parquet" : "csv", ["out"] = Path.GetFullPath(outPath) }, model: kind, backend: backend);
        else parse.InvocationConfiguration.Output.WriteLine($"drew {samples.Rows} samples; wrote {outPath}");
    }

    internal static (int Width, int Height) TileShape(int visible, int? width)
    {
        int w = width ?? (int)Math.Round(Math.Sqrt(visible));
        if (w <= 0 || visible % w != 0)
            throw new CliException(width is null
                ? $"rows of {visible} values are not square images; give --image-width or write a .csv."
                : $"--image-width {w} does not divide rows of {visible} values.");
        return (w, visible / w);
    }

    internal static void WriteGrid(string path, Matrix rows, int? width, string title)
    {
        var (w, h) = TileShape(rows.Columns, width);
        int columns = (int)Math.Ceiling(Math.Sqrt(rows.Rows));
        Plots.PlotFiles.WriteImageGrid(path, rows, w, h, columns, maxImages: rows.Rows, title: title);
    }
}

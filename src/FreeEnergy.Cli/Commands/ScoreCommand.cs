using System.CommandLine;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Commands.Rbm;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Estimation;

namespace FreeEnergy.Cli.Commands;

/// <summary><c>freeenergy score --model MODEL --data PATH [--estimator free-energy|stored|exact|ais|tap] --out CSV</c>.</summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var model = RbmCli.ModelPath();
        var data = RbmCli.DataPath();
        var labels = RbmCli.Labels();
        var @class = RbmCli.Class();
        var maxRows = RbmCli.MaxRows();
        var estimator = new Option<string>("--estimator")
        {
            Description = "free-energy: F(v) (default, unnormalised); exact|ais|tap|stored: -log p(v) = F(v) + log Z with log Z from that estimator (stored: the model file's). elbo|iwae|cumulant: VAE only.",
            DefaultValueFactory = _ => "free-energy",
        }.AcceptOnlyFromAmong("free-energy", "stored", "exact", "ais", "tap", "elbo", "iwae", "cumulant");
        var samples = new Option<int>("--samples") { Description = "VAE importance samples (not used by RBMs).", DefaultValueFactory = _ => 0 };
        var runs = RbmCli.AisRuns();
        var betas = RbmCli.AisBetas();
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var output = RbmCli.Out("CSV file for the scores (one row per data row).");
        var json = CommonOptions.Json();
        var command = new Command("score", "Score each row: free energy, or -log p(v) with an estimate of log Z (higher = more anomalous).");
        foreach (var o in new Option[] { model, data, labels, @class, maxRows, estimator, samples, runs, betas, seed, threads, output, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var backend = RbmCli.Backend(parse, threads);
            var loaded = RbmCli.LoadAny(parse.GetValue(model)!, backend);
            string est = parse.GetValue(estimator)!;
            if (loaded is Models.Vae vae) return ScoreVae(parse, vae, est, data, labels, @class, maxRows, samples, seed, output, json);
            var rbm = (Models.RbmBase)loaded;
            if (est is "elbo" or "iwae" or "cumulant") throw new CliException($"--estimator {est} applies to VAEs; this is a {rbm.Kind} model (use free-energy, exact, ais, tap or stored).");
            var set = RbmCli.ReadData(parse, data, labels, @class, maxRows);
            RbmCli.CheckData(rbm, set);
            var ais = RbmCli.Ais(parse, runs, betas, parse.GetValue(seed), backend);
            LogPartitionEstimate? logZ = est == "free-energy" ? null : RbmCli.LogPartition(rbm, est, set.Features.View, ais);
            var f = new double[set.Features.Rows];
            rbm.FreeEnergy(set.Features.View, f);
            if (logZ is not null) for (int i = 0; i < f.Length; i++) f[i] += logZ.LogPartition;
            string column = logZ is null ? "free_energy" : "negative_log_likelihood";
            var outPath = parse.GetValue(output)!;
            RbmCli.WriteCsv(outPath, [column], f.Length, (r, _) => f[r]);
            double mean = 0;
            foreach (var x in f) mean += x;
            mean /= f.Length;
            var result = new JsonObject
            {
                ["model"] = rbm.Kind,
                ["rows"] = f.Length,
                ["estimator"] = est,
                ["score"] = column,
                ["mean"] = JsonOutput.Number(mean),
                ["logPartition"] = logZ is null ? null : JsonOutput.Number(logZ.LogPartition),
                ["logPartitionLower"] = logZ is null ? null : JsonOutput.Number(logZ.Lower),
                ["logPartitionUpper"] = logZ is null ? null : JsonOutput.Number(logZ.Upper),
                ["out"] = Path.GetFullPath(outPath),
            };
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) JsonOutput.Write(stdout, result);
            else stdout.WriteLine($"scored {f.Length} rows ({column}, mean {mean:F4}{(logZ is null ? "" : $", log Z {logZ.LogPartition:F3} by {logZ.Method}")}); wrote {outPath}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static int ScoreVae(ParseResult parse, Models.Vae vae, string estimator, Option<string> data, Option<string?> labels, Option<int?> @class,
        Option<int?> maxRows, Option<int> samples, Option<ulong> seed, Option<string> output, Option<bool> json)
    {
        if (estimator is "stored" or "exact" or "ais" or "tap")
            throw new CliException($"--estimator {estimator} applies to RBMs; this is a VAE (use free-energy, elbo, iwae or cumulant).");
        var set = RbmCli.ReadData(parse, data, labels, @class, maxRows);
        RbmCli.CheckData(vae, set);
        int k = parse.GetValue(samples);
        if (k < 0) throw new CliException("--samples must be zero (default) or positive.");
        var scores = Vae.VaeVerbs.Score(vae, set.Features, estimator == "free-energy" ? "elbo" : estimator, k == 0 ? null : k, parse.GetValue(seed));
        string column = estimator switch { "iwae" => "iwae", "cumulant" => "cumulant", _ => "free_energy" };
        var outPath = parse.GetValue(output)!;
        RbmCli.WriteCsv(outPath, [column], scores.Length, (r, _) => scores[r]);
        double mean = 0;
        foreach (var x in scores) mean += x;
        mean /= Math.Max(1, scores.Length);
        var stdout = parse.InvocationConfiguration.Output;
        if (parse.GetValue(json))
            JsonOutput.Write(stdout, new JsonObject
            {
                ["model"] = vae.Kind, ["rows"] = scores.Length, ["estimator"] = estimator, ["score"] = column,
                ["mean"] = JsonOutput.Number(mean), ["out"] = Path.GetFullPath(outPath),
            });
        else stdout.WriteLine($"scored {scores.Length} rows ({column}, mean {mean:F4}); wrote {outPath}");
        return ExitCodes.Success;
    }
}

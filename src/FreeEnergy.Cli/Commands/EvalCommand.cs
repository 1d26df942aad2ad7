using System.CommandLine;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Commands.Rbm;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Estimation;

namespace FreeEnergy.Cli.Commands;

/// <summary><c>freeenergy eval --model MODEL --data PATH [--estimator ais|tap|exact|stored]</c>: mean log-likelihood with its spread.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = RbmCli.ModelPath();
        var data = RbmCli.DataPath();
        var labels = RbmCli.Labels();
        var @class = RbmCli.Class();
        var maxRows = RbmCli.MaxRows();
        var labelColumn = RbmCli.LabelColumn();
        var estimator = new Option<string>("--estimator") { Description = "RBM: how log Z is estimated: ais (default), tap, exact or stored. VAE: ignored (every estimate is reported).", DefaultValueFactory = _ => "ais" }
            .AcceptOnlyFromAmong("ais", "tap", "exact", "stored", "elbo", "iwae", "cumulant");
        var baseData = new Option<string?>("--base-data") { Description = "AIS: data for the base-rate model (default: the evaluated data)." };
        var samples = new Option<int?>("--samples") { Description = "VAE: importance samples per row (default 100)." };
        var runs = RbmCli.AisRuns();
        var betas = RbmCli.AisBetas();
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("eval", "Mean free energy and mean log-likelihood (with log Z from AIS, TAP or enumeration) of a data set, with spreads.");
        foreach (var o in new Option[] { model, data, labels, labelColumn, @class, maxRows, estimator, baseData, samples, runs, betas, seed, threads, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var backend = RbmCli.Backend(parse, threads);
            var loaded = RbmCli.LoadAny(parse.GetValue(model)!, backend);
            string est = parse.GetValue(estimator)!;
            if (loaded is Models.IVariationalModel vae)
            {
                var vaeSet = RbmCli.ReadData(parse, data, labels, @class, maxRows, labelColumn);
                RbmCli.CheckData(vae, vaeSet);
                int k = parse.GetValue(samples) ?? 100;
                System.Text.Json.Nodes.JsonObject summary;
                using (WorkProgress.Start(parse, $"VAE estimates of -log p(x), {k} samples per row", indeterminate: true))
                    summary = Vae.VaeVerbs.Eval(vae, vaeSet.Features, k, parse.GetValue(seed));
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json)) JsonOutput.Write(parse, summary);
                else
                {
                    // Each estimate of -log p(x) as "mean +- standard error (rows)", in nats per row.
                    output.WriteLine($"rows             {summary["rows"]}  ({summary["samples"]} samples per row, seed {summary["seed"]})");
                    output.WriteLine("-log p(x), nats per row:     mean +- standard error");
                    foreach (var (key, value) in summary)
                        if (value is System.Text.Json.Nodes.JsonObject estimate)
                            output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                                $"{key,-16} {(double?)estimate["mean"] ?? double.NaN,12:F4} +- {(double?)estimate["standardError"] ?? double.NaN:F4}"));
                }
                return ExitCodes.Success;
            }
            var rbm = (Models.RbmBase)loaded;
            if (est is "elbo" or "iwae" or "cumulant") throw new CliException($"--estimator {est} applies to VAEs; this is a {rbm.Kind} model.");
            var set = RbmCli.ReadData(parse, data, labels, @class, maxRows, labelColumn);
            RbmCli.CheckData(rbm, set);
            var baseRows = set.Features;
            if (parse.GetValue(baseData) is { } basePath)
            {
                if (!File.Exists(basePath)) throw new CliException($"base data file not found: {basePath}");
                var baseSet = Data.DataReader.Read(basePath);
                RbmCli.CheckData(rbm, baseSet); // same width check and the same recorded binarisation as the evaluated rows
                baseRows = baseSet.Features;
            }
            var logZ = RbmCli.LogPartition(rbm, est, baseRows.View, RbmCli.Ais(parse, runs, betas, parse.GetValue(seed), backend), parse);
            var f = new double[set.Features.Rows];
            rbm.FreeEnergy(set.Features.View, f);
            double meanF = 0, sq = 0;
            foreach (var x in f) { meanF += x; sq += x * x; }
            meanF /= f.Length;
            double sdF = f.Length > 1 ? Math.Sqrt(Math.Max(0, (sq - f.Length * meanF * meanF) / (f.Length - 1))) : 0;
            double seF = sdF / Math.Sqrt(f.Length);
            double ll = -(meanF + logZ.LogPartition);
            var result = new JsonObject
            {
                ["model"] = rbm.Kind,
                ["rows"] = f.Length,
                ["estimator"] = logZ.Method,
                ["meanFreeEnergy"] = meanF,
                ["freeEnergyStandardDeviation"] = sdF,
                ["logPartition"] = logZ.LogPartition,
                ["logPartitionLower"] = JsonOutput.Number(logZ.Lower),
                ["logPartitionUpper"] = JsonOutput.Number(logZ.Upper),
                ["meanLogLikelihood"] = ll,
                ["logLikelihoodStandardError"] = seF,
                // log Z enters every row's log p(v) with a minus sign, so its bounds swap.
                ["meanLogLikelihoodLower"] = JsonOutput.Number(-(meanF + logZ.Upper)),
                ["meanLogLikelihoodUpper"] = JsonOutput.Number(-(meanF + logZ.Lower)),
                ["aisRuns"] = logZ.Runs,
                ["aisSteps"] = logZ.Steps,
            };
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) JsonOutput.Write(parse, result, backend: backend.Name);
            else
            {
                stdout.WriteLine($"rows                 {f.Length}");
                stdout.WriteLine($"mean free energy     {meanF:F4} (sd {sdF:F4})");
                stdout.WriteLine($"log Z ({logZ.Method,-5})        {logZ.LogPartition:F4}  [{logZ.Lower:F4}, {logZ.Upper:F4}]");
                stdout.WriteLine($"mean log-likelihood  {ll:F4} +- {seF:F4} (rows)  [{-(meanF + logZ.Upper):F4}, {-(meanF + logZ.Lower):F4}] (log Z spread)");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}

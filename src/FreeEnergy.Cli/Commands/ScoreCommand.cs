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
        var labelColumn = RbmCli.LabelColumn();
        var estimator = new Option<string>("--estimator")
        {
            Description = "free-energy: F(v) (default, unnormalised); exact|ais|tap|stored: -log p(v) = F(v) + log Z with log Z from that estimator (stored: the model file's). elbo|iwae|cumulant: VAE only.",
            DefaultValueFactory = _ => "free-energy",
        }.AcceptOnlyFromAmong("free-energy", "stored", "exact", "ais", "tap", "elbo", "iwae", "cumulant");
        var subtract = new Option<bool>("--subtract-complexity")
        {
            Description = "Images: subtract each row's input complexity L(x), its code length in nats as a binarised square image under a generic "
                + "adaptive context model (Serrà et al. 2020), from the score; the column gets the suffix _corrected.",
        };
        var binarize = new Option<bool>("--binarize")
        {
            Description = "Threshold the data at 0.5 before scoring, as train --binarize does (a model trained with --binarize applies it anyway).",
        };
        var samples = new Option<int>("--samples") { Description = "VAE importance samples (not used by RBMs).", DefaultValueFactory = _ => 0 };
        var runs = RbmCli.AisRuns();
        var betas = RbmCli.AisBetas();
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var output = RbmCli.Out("CSV file for the scores (one row per data row); Parquet when the name ends with .parquet.");
        var json = CommonOptions.Json();
        var command = new Command("score", "Score each row: free energy, or -log p(v) with an estimate of log Z (higher = more anomalous).");
        foreach (var o in new Option[] { model, data, labels, labelColumn, @class, maxRows, estimator, subtract, binarize, samples, runs, betas, seed, threads, output, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            OutputPath.CheckFile(parse.GetValue(output)!);
            var backend = RbmCli.Backend(parse, threads);
            var loaded = RbmCli.LoadAny(parse.GetValue(model)!, backend);
            string est = parse.GetValue(estimator)!;
            int columns = loaded.InputDimension;
            var complexity = parse.GetValue(subtract) ? SquareImages(columns) : null;
            if (loaded is Models.IVariationalModel vae) return ScoreVae(parse, vae, est, data, labels, @class, maxRows, labelColumn, samples, seed, output, json, complexity);
            var rbm = (Models.RbmBase)loaded;
            if (est is "elbo" or "iwae" or "cumulant") throw new CliException($"--estimator {est} applies to VAEs; this is a {rbm.Kind} model (use free-energy, exact, ais, tap or stored).");
            if (est is "free-energy" or "stored" or "exact") return ScoreRbmStreaming(parse, rbm, est, data, labels, @class, maxRows, labelColumn, output, json, complexity);
            var set = Binarized(parse, RbmCli.ReadData(parse, data, labels, @class, maxRows, labelColumn));
            RbmCli.CheckData(rbm, set);
            var ais = RbmCli.Ais(parse, runs, betas, parse.GetValue(seed), backend);
            LogPartitionEstimate? logZ = est == "free-energy" ? null : RbmCli.LogPartition(rbm, est, set.Features.View, ais, parse);
            var f = new double[set.Features.Rows];
            rbm.FreeEnergy(set.Features.View, f);
            if (logZ is not null) for (int i = 0; i < f.Length; i++) f[i] += logZ.LogPartition;
            SubtractComplexity(complexity, set.Features.View, f);
            string column = (logZ is null ? "free_energy" : "negative_log_likelihood") + Suffix(complexity);
            var outPath = parse.GetValue(output)!;
            RbmCli.WriteTable(outPath, [column], f.Length, (r, _) => f[r]);
            double mean = 0;
            foreach (var x in f) mean += x;
            mean /= f.Length;
            ReportRbm(parse, json, rbm, est, column, f.Length, mean, logZ, outPath);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The summary an RBM score run prints: one JSON object with --json, else one line.</summary>
    private static void ReportRbm(ParseResult parse, Option<bool> json, Models.RbmBase rbm, string est, string column, long rows, double mean,
        LogPartitionEstimate? logZ, string outPath)
    {
        var stdout = parse.InvocationConfiguration.Output;
        if (parse.GetValue(json))
            JsonOutput.Write(parse, new JsonObject
            {
                ["model"] = rbm.Kind,
                ["rows"] = rows,
                ["estimator"] = est,
                ["score"] = column,
                ["mean"] = JsonOutput.Number(mean),
                ["logPartition"] = logZ is null ? null : JsonOutput.Number(logZ.LogPartition),
                ["logPartitionLower"] = logZ is null ? null : JsonOutput.Number(logZ.Lower),
                ["logPartitionUpper"] = logZ is null ? null : JsonOutput.Number(logZ.Upper),
                ["out"] = Path.GetFullPath(outPath),
            }, backend: rbm.Backend.Name);
        else stdout.WriteLine($"scored {rows} rows ({column}, mean {mean:F4}{(logZ is null ? "" : $", log Z {logZ.LogPartition:F3} by {logZ.Method}")}); wrote {outPath}");
    }

    /// <summary>Rows per batch when scoring a file in streaming mode.</summary>
    internal const int StreamingBatchRows = 4096;

    /// <summary>
    /// Scores an RBM batch by batch (estimators that need no pass over the data: free-energy, stored, exact): memory stays
    /// at one batch whatever the file size, and each batch's scores are written before the next is read, into a temporary
    /// file renamed over --out only on success.
    /// </summary>
    private static int ScoreRbmStreaming(ParseResult parse, Models.RbmBase rbm, string est, Option<string> data, Option<string?> labels,
        Option<int?> @class, Option<int?> maxRows, Option<string?> labelColumn, Option<string> output, Option<bool> json, InputComplexity? complexity)
    {
        LogPartitionEstimate? logZ = est == "free-energy" ? null : RbmCli.LogPartition(rbm, est, default, null!, parse);
        string column = (logZ is null ? "free_energy" : "negative_log_likelihood") + Suffix(complexity);
        double add = logZ?.LogPartition ?? 0;
        var (rows, mean, outPath) = StreamScores(parse, data, labels, @class, maxRows, labelColumn, output, column, rbm.Visible, $"the model has {rbm.Visible} visible units",
            (batch, scores) =>
            {
                RbmCli.CheckData(rbm, batch); // applies the model's recorded input binarisation, then validates
                rbm.FreeEnergy(batch.Features.View, scores);
                if (add != 0) for (int i = 0; i < scores.Length; i++) scores[i] += add;
                SubtractComplexity(complexity, batch.Features.View, scores);
            });
        ReportRbm(parse, json, rbm, est, column, rows, mean, logZ, outPath);
        return ExitCodes.Success;
    }

    /// <summary>
    /// Reads --data in batches of <see cref="StreamingBatchRows"/>, scores each batch with <paramref name="score"/> (which also
    /// validates it; a <see cref="DataFormatException"/> is re-thrown naming the file and the row in the whole file) and
    /// writes the scores to --out through a temporary file, renamed only when every row has been scored.
    /// </summary>
    private static (long Rows, double Mean, string OutPath) StreamScores(ParseResult parse, Option<string> data, Option<string?> labels, Option<int?> @class,
        Option<int?> maxRows, Option<string?> labelColumn, Option<string> output, string column, int width, string widthText, Action<Data.DataSet, Span<double>> score)
    {
        var path = parse.GetValue(data)!;
        if (!File.Exists(path)) throw new CliException($"data file not found: {path}");
        var options = new Data.DataReadOptions { LabelsPath = parse.GetValue(labels), Class = parse.GetValue(@class), MaxRows = parse.GetValue(maxRows),
            LabelColumnName = parse.GetValue(labelColumn),
        };
        if (options.MaxRows is <= 0) throw new CliException("--max-rows must be at least 1.");
        var outPath = parse.GetValue(output)!;
        long rows = 0;
        double sum = 0;
        TableOutput.Write(outPath, [column], table =>
        {
            double[] f = [];
            foreach (var batch in Data.DataReader.ReadLabeledBatches(path, StreamingBatchRows, options, reuseBuffers: true))
            {
                var x = batch.Features;
                if (x.Columns != width) throw new CliException($"{path}: rows have {x.Columns} columns but {widthText}.");
                if (f.Length < x.Rows) f = new double[x.Rows];
                var scores = f.AsSpan(0, x.Rows);
                try { score(Binarized(parse, batch), scores); }
                catch (DataFormatException e) when (e.Row is not null || e.File is null)
                {
                    throw new DataFormatException(e.Reason, path, e.Row is { } r ? r + rows : null, e.Column, e);
                }
                for (int i = 0; i < scores.Length; i++)
                {
                    sum += scores[i];
                    table.Append(scores.Slice(i, 1));
                }
                rows += x.Rows;
            }
            if (rows == 0) throw new CliException($"no rows to use in {path}{(options.Class is { } c ? $" with label {c}" : "")}.");
        });
        return (rows, sum / rows, outPath);
    }

    /// <summary>The default VAE score (the deterministic free energy, row by row independent), streamed like the RBM scores.</summary>
    private static int ScoreVaeStreaming(ParseResult parse, Models.IVariationalModel vae, string estimator, Option<string> data, Option<string?> labels,
        Option<int?> @class, Option<int?> maxRows, Option<string?> labelColumn, Option<string> output, Option<bool> json, InputComplexity? complexity)
    {
        string column = "free_energy" + Suffix(complexity);
        var (rows, mean, outPath) = StreamScores(parse, data, labels, @class, maxRows, labelColumn, output, column, vae.InputDimension, $"the model takes {vae.InputDimension}",
            (batch, scores) =>
            {
                var f = vae.FreeEnergy(batch.Features.View);
                for (int i = 0; i < f.Length; i++) scores[i] = f[i];
                SubtractComplexity(complexity, batch.Features.View, scores);
            });
        var stdout = parse.InvocationConfiguration.Output;
        if (parse.GetValue(json))
            JsonOutput.Write(parse, new JsonObject
            {
                ["model"] = vae.Kind, ["rows"] = rows, ["estimator"] = estimator, ["score"] = column,
                ["mean"] = JsonOutput.Number(mean), ["out"] = Path.GetFullPath(outPath),
            }, backend: vae.Backend.Name);
        else stdout.WriteLine($"scored {rows} rows ({column}, mean {mean:F4}); wrote {outPath}");
        return ExitCodes.Success;
    }

    private static int ScoreVae(ParseResult parse, Models.IVariationalModel vae, string estimator, Option<string> data, Option<string?> labels, Option<int?> @class,
        Option<int?> maxRows, Option<string?> labelColumn, Option<int> samples, Option<ulong> seed, Option<string> output, Option<bool> json, InputComplexity? complexity)
    {
        if (estimator is "stored" or "exact" or "ais" or "tap")
            throw new CliException($"--estimator {estimator} applies to RBMs; this is a VAE (use free-energy, elbo, iwae or cumulant).");
        int k = parse.GetValue(samples);
        if (k < 0) throw new CliException("--samples must be zero (default) or positive.");
        if (k == 0 && estimator is ("free-energy" or "elbo")) return ScoreVaeStreaming(parse, vae, estimator, data, labels, @class, maxRows, labelColumn, output, json, complexity);
        var set = Binarized(parse, RbmCli.ReadData(parse, data, labels, @class, maxRows, labelColumn));
        RbmCli.CheckData(vae, set);
        float[] scores;
        try
        {
            using var progress = WorkProgress.Start(parse, $"VAE {estimator} scores", indeterminate: true);
            scores = Vae.VaeVerbs.Score(vae, set.Features, estimator == "free-energy" ? "elbo" : estimator, k == 0 ? null : k, parse.GetValue(seed));
        }
        catch (DataFormatException e) when (e.File is null) { throw new DataFormatException(e.Reason, set.Source, e.Row, e.Column, e); }
        if (complexity is not null) scores = InputComplexity.Correct(scores, complexity.CodeLengths(set.Features.View));
        string column = estimator switch { "iwae" => "iwae", "cumulant" => "cumulant", _ => "free_energy" } + Suffix(complexity);
        var outPath = parse.GetValue(output)!;
        RbmCli.WriteTable(outPath, [column], scores.Length, (r, _) => scores[r]);
        double mean = 0;
        foreach (var x in scores) mean += x;
        mean /= Math.Max(1, scores.Length);
        var stdout = parse.InvocationConfiguration.Output;
        if (parse.GetValue(json))
            JsonOutput.Write(parse, new JsonObject
            {
                ["model"] = vae.Kind, ["rows"] = scores.Length, ["estimator"] = estimator, ["score"] = column,
                ["mean"] = JsonOutput.Number(mean), ["out"] = Path.GetFullPath(outPath),
            }, backend: vae.Backend.Name);
        else stdout.WriteLine($"scored {scores.Length} rows ({column}, mean {mean:F4}); wrote {outPath}");
        return ExitCodes.Success;
    }

    /// <summary><paramref name="set"/>, thresholded at 0.5 in place when <c>--binarize</c> is given.</summary>
    private static Data.DataSet Binarized(ParseResult parse, Data.DataSet set)
    {
        if (parse.GetValue<bool>("--binarize")) RbmCli.Binarize(set);
        return set;
    }

    /// <summary>The complexity estimator for rows of <paramref name="columns"/> values read as square images (--subtract-complexity).</summary>
    private static InputComplexity SquareImages(int columns)
        => InputComplexity.ForSquareImages(columns)
            ?? throw new CliException($"--subtract-complexity reads rows as square images; the model's rows have {columns} values.");

    private static string Suffix(InputComplexity? complexity) => complexity is null ? "" : "_corrected";

    /// <summary>scores[i] -= L(row i) when --subtract-complexity is on.</summary>
    private static void SubtractComplexity(InputComplexity? complexity, Tensors.MatrixView rows, Span<double> scores)
    {
        if (complexity is null) return;
        for (int i = 0; i < scores.Length; i++) scores[i] -= complexity.CodeLength(rows.Row(i));
    }
}

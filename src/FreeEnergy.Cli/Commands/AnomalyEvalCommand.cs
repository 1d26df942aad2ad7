using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Cli.Plots;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Data;
using FreeEnergy.Data.Preprocessing;
using FreeEnergy.Estimation;
using FreeEnergy.Evaluation;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

namespace FreeEnergy.Cli.Commands;

/// <summary>
/// <c>freeenergy anomaly-eval</c>: the one-class protocol on a labelled image set (MNIST): each class in turn is
/// "normal" (train on that class's training rows only), every test row is scored, and the AUC of the score for
/// "not that class" is reported per class and as a mean, beside the published Deep SVDD AUCs. Images are binarised
/// (default) and every model score is also reported complexity-corrected, score - L(x) with L the class-independent
/// code length of <see cref="InputComplexity"/> (Serrà et al. 2020), which removes the likelihood's preference for
/// simple images (a model of 8s otherwise ranks most 1s as more normal than its own class). The models: an RBM, a VAE,
/// or the two-level VAE (<c>--model vae2</c>, shaped by the options <c>train</c> takes for it).
/// </summary>
internal static class AnomalyEvalCommand
{
    /// <summary>One-class Deep SVDD AUCs (%) on MNIST, Ruff et al. 2018 (ICML), Table 1.</summary>
    private static readonly double[] DeepSvdd = [98.0, 99.7, 91.7, 91.9, 94.9, 88.5, 98.3, 94.6, 93.9, 96.5];

    public static Command Create()
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder with MNIST's four IDX files (default: $FREEENERGY_MNIST, data/mnist, ../shared/data/mnist)." };
        var models = new Option<string>("--model") { Description = "rbm, vae, vae2 (the two-level VAE x <- z1 <- z2) or both (rbm and vae).", DefaultValueFactory = _ => "both" }.AcceptOnlyFromAmong("rbm", "vae", "vae2", "both");
        var classes = new Option<string>("--classes") { Description = "Comma-separated normal classes to evaluate.", DefaultValueFactory = _ => "0,1,2,3,4,5,6,7,8,9" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs per class.", DefaultValueFactory = _ => 30 };
        var hidden = new Option<int>("--hidden") { Description = "rbm: hidden units.", DefaultValueFactory = _ => 128 };
        var vaeShape = new Vae.VaeShapeOptions();
        var learningRate = new Option<float?>("--lr") { Description = "vae, vae2: learning rate (default 0.001)." };
        var batch = new Option<int?>("--batch") { Description = "vae, vae2: batch size (default 128)." };
        var samples = new Option<int>("--samples") { Description = "vae, vae2: importance samples per row for the IWAE and cumulant scores.", DefaultValueFactory = _ => 100 };
        var binarize = new Option<bool>("--binarize")
        {
            Description = "Threshold training and test images at 0.5, so that every score is a code length of the same binary image as the complexity L(x); --binarize false keeps grey values.",
            DefaultValueFactory = _ => true,
            HelpName = "true|false",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var plots = new Option<string?>("--plots") { Description = "A folder for score histograms and ROC curves per class." };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("anomaly-eval", "One-class anomaly detection on MNIST: each digit in turn is normal; AUC per class and mean, beside Deep SVDD.");
        Option[] all = [dataDir, models, classes, epochs, hidden, .. vaeShape.All, learningRate, batch, samples, binarize, plots, seed, threads, json];
        foreach (var o in all) command.Options.Add(o);
        command.SetAction((parse, cancellationToken) =>
        {
            if (parse.GetValue(plots) is { } plotFolder) OutputPath.CheckFolder(plotFolder, "--plots");
            string dir = FindMnist(parse.GetValue(dataDir));
            int[] normalClasses = ParseClasses(parse.GetValue(classes)!);
            int epochCount = CommonOptions.Range("--epochs", parse.GetValue(epochs), 1, 100_000);
            int k = CommonOptions.Range("--samples", parse.GetValue(samples), 1, 1_000_000);
            string which = parse.GetValue(models)!;
            // The VAE's settings are read (and checked) once, before any training.
            var vaeOptions = which == "rbm" ? null : VaeOptions(parse, vaeShape, twoLevel: which == "vae2", learningRate, batch, epochCount, parse.GetValue(seed));
            if (vaeOptions is null && (vaeShape.AnyGiven(parse) || parse.GetValue(learningRate) is not null || parse.GetValue(batch) is not null))
                throw new CliException("--latent, --layers, --upper-layers, --beta, --iwae, --lr-stages, --dynamic-binarize, --kl-warmup, --lr and --batch apply to --model vae, vae2 or both.");
            var backend = new CpuBackend(CommonOptions.Range("--threads", parse.GetValue(threads), 0, 1024));
            var stderr = parse.InvocationConfiguration.Error;
            bool asJson = parse.GetValue(json);
            string? plotDir = parse.GetValue(plots);

            var train = DataReader.Read(Path.Combine(dir, "train-images-idx3-ubyte.gz"));
            var test = DataReader.Read(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"));
            if (train.Labels is null || test.Labels is null) throw new CliException($"{dir}: the MNIST label files are missing.");
            bool binary = parse.GetValue(binarize);
            // With --dynamic-binarize the VAE trains on the grey images (drawn anew each epoch); the RBM and every score see the images as --binarize leaves them.
            var greyTrain = vaeOptions is { DynamicBinarization: true } ? train.Features.Clone() : null;
            if (binary)
            {
                new ThresholdBinarizer().TransformInPlace(train.Features);
                new ThresholdBinarizer().TransformInPlace(test.Features);
            }
            // The class-independent input complexity L(x) of every test image (Serrà et al. 2020): each score also
            // appears corrected, score - L(x), which removes the preference of likelihoods for simple images.
            var coder = InputComplexity.ForSquareImages(test.Features.Columns)
                ?? throw new CliException($"{dir}: images of {test.Features.Columns} pixels are not square.");
            float[] complexity = coder.CodeLengths(test.Features.View);

            var rows = new JsonArray();
            var sums = new Dictionary<string, double>();
            var clock = Stopwatch.StartNew();
            foreach (int c in normalClasses)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var progress = WorkProgress.Start(parse, $"class {c}");
                // Each model trains for half of the class's bar when both run; scoring the test set takes the rest.
                double share = which == "both" ? 0.45 : 0.9;
                IProgress<TrainingProgress> Stage(double start, string name) => new ProgressRelay<TrainingProgress>(p =>
                    progress.Report(start + share * p.Epoch / Math.Max(1, p.Epochs), $"class {c}: {name} epoch {p.Epoch}/{p.Epochs}"));
                var normal = Subset(train.Features, train.Labels, c);
                var anomalous = new bool[test.Labels.Length];
                for (int i = 0; i < anomalous.Length; i++) anomalous[i] = test.Labels[i] != c;
                var entry = new JsonObject { ["class"] = c, ["trainingRows"] = normal.Rows, ["deepSvdd"] = DeepSvdd[c] };
                var scores = new List<(string Name, float[] Scores)>();
                if (which is "rbm" or "both")
                {
                    var options = new RbmTrainingOptions
                    {
                        HiddenUnits = CommonOptions.Range("--hidden", parse.GetValue(hidden), 1, 100_000),
                        Epochs = epochCount,
                        NegativePhase = NegativePhase.PersistentContrastiveDivergence(1),
                        LearningRate = 0.01f,
                        LearningRateSchedule = LearningRateSchedule.Constant,   // the setting the README's figures were measured with
                        L2WeightDecay = 0f,
                        Seed = parse.GetValue(seed),
                        Backend = backend,
                    };
                    var rbm = RbmTrainer.CreateBernoulli(normal.View, options);
                    RbmTrainer.Train(rbm, normal.View, options, Stage(0, "rbm"), cancellationToken);
                    // log Z is one constant per model, so -log p(v) = F(v) + log Z ranks rows exactly as F(v) does:
                    // the normalised score has the same AUC by construction.
                    scores.Add(("rbm_free_energy", rbm.FreeEnergy(test.Features.View)));
                }
                if (vaeOptions is not null)
                {
                    string name = which == "vae2" ? "vae2" : "vae";
                    var stage = Stage(which == "both" ? share : 0, name);
                    var vaeRows = greyTrain is null ? normal : Subset(greyTrain, train.Labels, c);
                    IVariationalModel vae = which == "vae2"
                        ? HierarchicalVaeTrainer.Train(vaeRows.View, null, vaeOptions, backend, stage, cancellationToken)
                        : VaeTrainer.Train(vaeRows.View, null, vaeOptions, backend, stage, cancellationToken);
                    progress.Report(which == "both" ? 2 * share : share, $"class {c}: {name} scores ({k} samples per row)");
                    scores.Add((name + "_free_energy", vae.FreeEnergy(test.Features.View)));
                    scores.Add((name + "_iwae", vae.Score(test.Features.View, VaeEstimator.Iwae, k, parse.GetValue(seed))));
                    scores.Add((name + "_cumulant", vae.Score(test.Features.View, VaeEstimator.Cumulant, k, parse.GetValue(seed))));
                }
                progress.Dispose();
                int modelScores = scores.Count;
                for (int i = 0; i < modelScores; i++) scores.Add((scores[i].Name + "_corrected", InputComplexity.Correct(scores[i].Scores, complexity)));
                var curves = new List<(string, RocCurve)>();
                foreach (var (name, s) in scores)
                {
                    double auc = 100 * RocCurve.AreaUnderCurve(s, anomalous);
                    entry[name] = Math.Round(auc, 2);
                    sums[name] = sums.GetValueOrDefault(name) + auc;
                    if (plotDir is not null) curves.Add((name, RocCurve.Compute(s, anomalous)));
                }
                if (plotDir is not null && scores.Count > 0)
                {
                    Directory.CreateDirectory(plotDir);
                    PlotFiles.WriteRoc(Path.Combine(plotDir, $"roc-class{c}.png"), curves, $"ROC, normal class {c}");
                    // The histogram shows the first model's complexity-corrected score (the headline score).
                    var (normalScores, anomalousScores) = Split(scores[modelScores].Scores, anomalous);
                    PlotFiles.WriteScoreHistogram(Path.Combine(plotDir, $"scores-class{c}.png"), normalScores, anomalousScores,
                        title: $"{scores[modelScores].Name} scores, normal class {c}", scoreName: "complexity-corrected score (nats)");
                }
                rows.Add((JsonNode)entry);
                if (!asJson) stderr.WriteLine($"class {c}: " + string.Join("  ", scores.Select(s => $"{s.Name} AUC {entry[s.Name]}")) + $"  (Deep SVDD {DeepSvdd[c]})  {clock.Elapsed.TotalSeconds:F0} s");
            }
            var mean = new JsonObject();
            foreach (var (name, sum) in sums) mean[name] = Math.Round(sum / normalClasses.Length, 2);
            double svdd = normalClasses.Average(c => DeepSvdd[c]);
            mean["deepSvdd"] = Math.Round(svdd, 2);
            var result = new JsonObject
            {
                ["protocol"] = "one-class MNIST: train on one digit's training images, score all 10,000 test images, AUC for 'other digit'",
                ["epochs"] = epochCount,
                ["binarized"] = binary,
                ["dynamicBinarization"] = greyTrain is not null,
                ["corrected"] = "score - L(x), L = code length in nats of the binarised image under an adaptive context model (Serrà et al. 2020)",
                ["classes"] = rows,
                ["mean"] = mean,
                ["seconds"] = clock.Elapsed.TotalSeconds,
                ["reference"] = "Deep SVDD (one-class), Ruff et al. 2018, ICML, Table 1",
            };
            var stdout = parse.InvocationConfiguration.Output;
            if (asJson) JsonOutput.Write(parse, result, model: which, backend: backend.Name);
            else
            {
                stdout.WriteLine("| class | " + string.Join(" | ", sums.Keys) + " | Deep SVDD |");
                stdout.WriteLine("|---|" + string.Concat(sums.Keys.Select(_ => "---|")) + "---|");
                foreach (var r in rows) stdout.WriteLine($"| {r!["class"]} | " + string.Join(" | ", sums.Keys.Select(n => r![n]!.ToJsonString())) + $" | {r!["deepSvdd"]} |");
                stdout.WriteLine("| mean | " + string.Join(" | ", sums.Keys.Select(n => mean[n]!.ToJsonString())) + $" | {mean["deepSvdd"]} |");
            }
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>The VAE's training options: the shape options as <c>train</c> reads them, the epochs and seed, and --lr / --batch when given.</summary>
    private static VaeTrainingOptions VaeOptions(ParseResult parse, Vae.VaeShapeOptions shape, bool twoLevel, Option<float?> learningRate, Option<int?> batch, int epochs, ulong seed)
    {
        var options = shape.Read(parse, twoLevel, epochs, out _);
        options.Seed = seed;
        if (parse.GetValue(learningRate) is { } rate)
        {
            if (!(rate > 0) || !float.IsFinite(rate)) throw new CliException($"--lr must be positive (got {rate}).");
            options.LearningRate = rate;
        }
        if (parse.GetValue(batch) is { } size) options.BatchSize = CommonOptions.Range("--batch", size, 1, 1_000_000);
        return options;
    }

    private static string FindMnist(string? given)
    {
        var candidates = given is not null ? [given] : new[] { Environment.GetEnvironmentVariable("FREEENERGY_MNIST"), "data/mnist", "../shared/data/mnist" };
        foreach (var d in candidates)
            if (!string.IsNullOrEmpty(d) && File.Exists(Path.Combine(d, "t10k-images-idx3-ubyte.gz")) && File.Exists(Path.Combine(d, "train-images-idx3-ubyte.gz")))
                return d;
        throw new CliException(given is not null ? $"no MNIST files (train-/t10k-images-idx3-ubyte.gz) in {given}." : "MNIST not found: run build/fetch-mnist.sh or give --data-dir.");
    }

    private static int[] ParseClasses(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], out result[i]) || result[i] is < 0 or > 9) throw new CliException($"--classes: '{parts[i]}' is not a digit 0-9.");
        if (result.Length == 0) throw new CliException("--classes is empty.");
        return result;
    }

    private static Matrix Subset(Matrix features, int[] labels, int label)
    {
        int count = 0;
        foreach (int l in labels) if (l == label) count++;
        var m = new Matrix(count, features.Columns);
        for (int i = 0, r = 0; i < labels.Length; i++)
            if (labels[i] == label) features.Row(i).CopyTo(m.Row(r++));
        return m;
    }

    private static (float[] Normal, float[] Anomalous) Split(float[] scores, bool[] anomalous)
    {
        var n = new List<float>(); var a = new List<float>();
        for (int i = 0; i < scores.Length; i++) (anomalous[i] ? a : n).Add(scores[i]);
        return (n.ToArray(), a.ToArray());
    }
}

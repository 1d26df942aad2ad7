using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Commands.Vae;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Data;
using FreeEnergy.Estimation;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

namespace FreeEnergy.Cli.Commands;

/// <summary>
/// <c>freeenergy bench iwae --data DIR [--epochs E] [--iwae K] [--test-samples S] [--lr-stages] [--dynamic-binarize] [--kl-warmup E] [--levels 1,2] [--objectives elbo,iwae] [--rounds R] [--json]</c>: the comparison of Burda,
/// Grosse and Salakhutdinov (2016, table 1) on binarised MNIST: one level (784-200-200-50) and two levels
/// (784-200-200-100 then 100-100-50), tanh, each trained with the ELBO and with the K-sample IWAE bound for the same
/// epochs (Adam, batch 20, the paper's learning-rate stages and dynamic binarisation when asked), reporting the test -log p(x) by IWAE with S draws
/// per row and the epoch costs (two levels over one; IWAE-K over the ELBO).
/// </summary>
internal static class BenchIwaeCommand
{
    /// <summary>One configuration: its model (the last round's; every round trains the same bits) and each round's CPU seconds per epoch.</summary>
    private sealed record Run(string Model, int Samples, IVariationalModel Trained, BenchVaeCommand.EpochLog Log, double TrainSeconds, List<double> RoundCpuSeconds);

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "MNIST directory (train-images-idx3-ubyte[.gz], t10k-...) or the training image file.", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs of each model (the paper trains 3,280).", DefaultValueFactory = _ => 1 };
        var iwae = new Option<int>("--iwae") { Description = "K of the importance-weighted runs.", DefaultValueFactory = _ => 5 };
        var testSamples = new Option<int>("--test-samples") { Description = "Draws per test row of the IWAE estimate of -log p(x).", DefaultValueFactory = _ => 5000 };
        var maxRows = new Option<int>("--max-rows") { Description = "Use only the first N training rows (0 = all; smoke runs).", DefaultValueFactory = _ => 0 };
        var testRows = new Option<int>("--test-rows") { Description = "Use only the first N test rows (0 = all).", DefaultValueFactory = _ => 0 };
        var batch = new Option<int>("--batch") { Description = "Batch size (the paper: 20).", DefaultValueFactory = _ => 20 };
        var stages = new Option<bool>("--lr-stages") { Description = "The paper's learning-rate stages (3^i epochs at 1e-3 * 10^(-i/7)); otherwise 1e-3 throughout." };
        var dynamic = new Option<bool>("--dynamic-binarize") { Description = "Draw the training images anew each epoch (dynamic binarisation, as the paper); otherwise one fixed draw. The test set is one fixed draw either way." };
        var shape = new VaeShapeOptions();
        var warmup = shape.KlWarmup;
        var levels = new Option<string>("--levels") { Description = "Which depths to train: 1, 2 or 1,2 (ratios between depths need both).", DefaultValueFactory = _ => "1,2" };
        var rounds = new Option<int>("--rounds") { Description = "Train every configuration this many times, alternating, and report the median CPU seconds per epoch and the median of the rounds' ratios (epoch costs on a shared machine).", DefaultValueFactory = _ => 1 };
        var objectives = new Option<string>("--objectives") { Description = "Which objectives to train: elbo, iwae or elbo,iwae (ratios between objectives need both).", DefaultValueFactory = _ => "elbo,iwae" };
        var threads = CommonOptions.Threads();
        var seed = CommonOptions.Seed();
        var json = CommonOptions.Json();
        var command = new Command("iwae", "One- and two-level VAEs trained with the ELBO and with IWAE-K on binarised MNIST: test -log p(x) by IWAE and epoch costs.");
        foreach (var o in new Option[] { data, epochs, iwae, testSamples, maxRows, testRows, batch, stages, dynamic, warmup, levels, objectives, rounds, threads, seed, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            int e = CommonOptions.Range("--epochs", parse.GetValue(epochs), 1, 100_000);
            int k = CommonOptions.Range("--iwae", parse.GetValue(iwae), 2, 10_000);
            int s = CommonOptions.Range("--test-samples", parse.GetValue(testSamples), 1, 1_000_000);
            int b = CommonOptions.Range("--batch", parse.GetValue(batch), 1, 1_000_000);
            int roundCount = CommonOptions.Range("--rounds", parse.GetValue(rounds), 1, 1000);
            ulong sd = parse.GetValue(seed);
            var backend = new CpuBackend(CommonOptions.Range("--threads", parse.GetValue(threads), 0, 1024));
            var (trainPath, testPath) = BenchVaeCommand.Locate(parse.GetValue(data)!);
            if (testPath is null) throw new CliException($"no t10k-images-idx3-ubyte[.gz] next to {trainPath}; the benchmark reports test -log p(x).");
            int trainLimit = CommonOptions.Range("--max-rows", parse.GetValue(maxRows), 0), testLimit = CommonOptions.Range("--test-rows", parse.GetValue(testRows), 0);
            bool perEpoch = parse.GetValue(dynamic);
            // Fixed draws 1 (training, unless drawn per epoch) and 2 (test) of the seed.
            var grey = DataReader.Read(trainPath, new DataReadOptions { MaxRows = trainLimit > 0 ? trainLimit : null }).Features;
            var train = perEpoch ? grey : Binarization.Fixed(grey.View, sd, 1);
            var test = Binarization.Fixed(DataReader.Read(testPath, new DataReadOptions { MaxRows = testLimit > 0 ? testLimit : null }).Features.View, sd, 2);

            int warmupEpochs = shape.WarmupEpochs(parse);
            var runs = new List<Run>();
            Run? Of(bool twoLevel, int samples) => runs.Find(r => (r.Trained is HierarchicalVae) == twoLevel && r.Samples == samples);
            var depths = Choices("--levels", parse.GetValue(levels)!, ["1", "2"]);
            var bounds = Choices("--objectives", parse.GetValue(objectives)!, ["elbo", "iwae"]);
            var configurations = new[] { false, true }.Where(t => depths.Contains(t ? "2" : "1"))
                .SelectMany(t => new[] { 1, k }.Where(n => bounds.Contains(n == 1 ? "elbo" : "iwae")).Select(n => (TwoLevel: t, Samples: n))).ToList();
            for (int round = 0; round < roundCount; round++)
                foreach (var (twoLevel, samples) in configurations)
                {
                    var options = new VaeTrainingOptions
                    {
                        LatentDimension = twoLevel ? 100 : 50, UpperLatentDimension = twoLevel ? 50 : 0, EncoderLayers = [200, 200], UpperLayers = [100, 100],
                        Activation = Compute.Activation.Tanh, Likelihood = VaeLikelihood.Bernoulli, LearningRate = 1e-3f, AdamBeta2 = 0.999f, AdamEpsilon = 1e-4f,
                        BatchSize = b, Epochs = e, Seed = sd, ImportanceSamples = samples, LearningRateStages = parse.GetValue(stages),
                        DynamicBinarization = perEpoch, KlWarmupEpochs = warmupEpochs,
                    };
                    // Warm-up (JIT, first-touch memory) on a few rows, so that the first configuration's epochs are not charged for it.
                    options.Epochs = 1;
                    var warm = train.RowRange(0, Math.Min(train.Rows, 10 * b));
                    if (twoLevel) HierarchicalVaeTrainer.Train(warm, null, options, backend);
                    else VaeTrainer.Train(warm, null, options, backend);
                    options.Epochs = e;
                    var log = new BenchVaeCommand.EpochLog();
                    var clock = Stopwatch.StartNew();
                    IVariationalModel model = twoLevel
                        ? HierarchicalVaeTrainer.Train(train.View, null, options, backend, log)
                        : VaeTrainer.Train(train.View, null, options, backend, log);
                    double seconds = clock.Elapsed.TotalSeconds;
                    var previous = Of(twoLevel, samples);
                    var perRound = previous?.RoundCpuSeconds ?? [];
                    perRound.Add(log.CpuSeconds.Average());
                    var run = new Run(twoLevel ? "two-level 784-200-200-100-100-100-50" : "one-level 784-200-200-50", samples, model, log, seconds, perRound);
                    if (previous is null) runs.Add(run);
                    else runs[runs.IndexOf(previous)] = run;
                }

            var results = new JsonArray();
            foreach (var run in runs)
            {
                var clock = Stopwatch.StartNew();
                var estimates = run.Trained.Estimate(test.View, s, sd);
                var (nll, nllError) = MeanAndError(estimates.ImportanceWeighted);
                results.Add((JsonNode)new JsonObject
                {
                    ["model"] = run.Model,
                    ["objective"] = run.Samples == 1 ? "elbo" : $"iwae-{run.Samples}",
                    ["trainSeconds"] = run.TrainSeconds,
                    ["secondsPerEpoch"] = run.TrainSeconds / e,
                    ["cpuSecondsPerEpoch"] = MedianTimer.Median(run.RoundCpuSeconds),
                    ["cpuSecondsPerEpochByRound"] = new JsonArray(run.RoundCpuSeconds.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray()),
                    ["trainLoss"] = JsonOutput.Number(run.Log.Reports[^1].TrainingLoss),
                    ["testNll"] = JsonOutput.Number(nll),
                    ["testNllStandardError"] = JsonOutput.Number(nllError),
                    ["testNegElbo"] = JsonOutput.Number(MeanAndError(estimates.FreeEnergy).Mean),
                    ["scoreSeconds"] = clock.Elapsed.TotalSeconds,
                    ["activeUnits"] = ActiveUnitsOf(run.Trained, test),
                });
            }
            JsonNode? Ratio(bool twoLevelA, int samplesA, bool twoLevelB, int samplesB)
            {
                var (a, b) = (Of(twoLevelA, samplesA), Of(twoLevelB, samplesB));
                return a is null || b is null ? null : JsonValue.Create(MedianTimer.Median(a.RoundCpuSeconds.Zip(b.RoundCpuSeconds, (x, y) => x / y)));
            }
            var result = new JsonObject
            {
                ["benchmark"] = "iwae",
                ["framework"] = "freeenergyml",
                ["threads"] = backend.Threads,
                ["logicalProcessors"] = Environment.ProcessorCount,
                ["epochs"] = e,
                ["rounds"] = roundCount,
                ["batch"] = b,
                ["learningRateStages"] = parse.GetValue(stages),
                ["klWarmupEpochs"] = warmupEpochs,
                ["binarisation"] = perEpoch
                    ? "training: a new Bernoulli draw per pixel intensity every epoch (dynamic); test: one seeded draw"
                    : "one Bernoulli draw per pixel intensity (seeded), train and test",
                ["trainRows"] = train.Rows,
                ["testRows"] = test.Rows,
                ["testSamples"] = s,
                ["iwae"] = k,
                ["runs"] = results,
                // CPU seconds per epoch (all threads): steadier than wall time on a shared machine; the median over rounds of
                // each round's ratio (the two configurations trained back to back).
                ["twoLevelOverOneLevelEpoch"] = Ratio(true, 1, false, 1),
                ["iwaeOverElboEpochOneLevel"] = Ratio(false, k, false, 1),
                ["iwaeOverElboEpochTwoLevel"] = Ratio(true, k, true, 1),
                ["paperTestNll"] = new JsonObject { ["oneLevelElbo"] = 86.76, ["oneLevelIwae5"] = 85.54, ["twoLevelElbo"] = 85.33, ["twoLevelIwae5"] = 83.89, ["passes"] = 3280 },
            };
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) JsonOutput.Write(parse, result);
            else
                foreach (var r in results)
                    stdout.WriteLine($"{r!["model"]}, {r["objective"]}: test -log p(x) {r["testNll"]} +- {r["testNllStandardError"]} (IWAE-{s}), {(double)r["cpuSecondsPerEpoch"]!:F1} CPU s/epoch");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Active units on the test rows (Burda et al. 2016, section 5.2): z for one level, z1 and z2 for two.</summary>
    private static JsonObject ActiveUnitsOf(IVariationalModel model, Matrix test)
    {
        int lower = ActiveUnits.Count(model.Encode(test.View));
        return model is HierarchicalVae twoLevel
            ? new JsonObject { ["z1"] = lower, ["z1Of"] = twoLevel.LatentDimension, ["z2"] = ActiveUnits.Count(twoLevel.EncodeUpper(test.View)), ["z2Of"] = twoLevel.UpperLatentDimension }
            : new JsonObject { ["z"] = lower, ["zOf"] = model.EncodedDimension };
    }

    /// <summary>The comma-separated <paramref name="text"/> as a set of <paramref name="allowed"/> values, or a one-line error naming the option.</summary>
    private static HashSet<string> Choices(string option, string text, string[] allowed)
    {
        var chosen = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.ToLowerInvariant()).ToHashSet();
        var unknown = chosen.FirstOrDefault(c => !allowed.Contains(c));
        if (unknown is not null || chosen.Count == 0)
            throw new CliException($"{option} '{text}': expected one or more of {string.Join(", ", allowed)}, separated by commas.");
        return chosen;
    }

    private static (double Mean, double Error) MeanAndError(float[] values)
    {
        double mean = values.Average(v => (double)v);
        double variance = values.Length > 1 ? values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1) : 0;
        return (mean, Math.Sqrt(variance / values.Length));
    }
}

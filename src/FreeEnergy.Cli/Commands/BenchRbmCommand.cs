using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Data;
using FreeEnergy.Data.Preprocessing;
using FreeEnergy.Training;

namespace FreeEnergy.Cli.Commands;

/// <summary>
/// <c>freeenergy bench rbm --data PATH [--epochs E] [--hidden H] [--batch B] [--cd K] [--phase cd|pcd|tap2|tap3] [--momentum M] [--grey] [--threads T] [--json]</c>:
/// trains a Bernoulli RBM (CD-k unless <c>--phase</c> names PCD-k or TAP-2/3; momentum 0.5 unless given; 0 is scikit-learn's plain SGD step) on the data thresholded at 0.5
/// (with <c>--grey</c>: the grey values in [0, 1] as read) and reports the seconds of each epoch (median),
/// data loading and model creation excluded. The per-epoch monitor is cut to one row so the times are training only.
/// </summary>
internal static class BenchRbmCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Training data (e.g. MNIST's train-images-idx3-ubyte.gz); thresholded at 0.5 after scaling to [0, 1].", Required = true };
        var rows = new Option<int?>("--rows") { Description = "Use only the first N rows (default: all)." };
        var epochs = new Option<int>("--epochs") { Description = "Epochs to time (the median is reported).", DefaultValueFactory = _ => 3 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden units.", DefaultValueFactory = _ => 500 };
        var batch = new Option<int>("--batch") { Description = "Rows per batch.", DefaultValueFactory = _ => 100 };
        var cd = new Option<int>("--cd") { Description = "Gibbs steps of CD-k.", DefaultValueFactory = _ => 1 };
        var lr = new Option<float>("--lr") { Description = "Learning rate.", DefaultValueFactory = _ => 0.05f };
        var momentum = new Option<float>("--momentum") { Description = "Momentum (0: plain SGD steps, as scikit-learn's BernoulliRBM).", DefaultValueFactory = _ => 0.5f };
        var phase = new Option<string>("--phase") { Description = "Negative phase: cd (CD-k), pcd (PCD-k, one chain per batch row), tap2 or tap3 (TAP/EMF of that order).", DefaultValueFactory = _ => "cd" };
        phase.AcceptOnlyFromAmong("cd", "pcd", "tap2", "tap3");
        var grey = new Option<bool>("--grey") { Description = "Train on the grey values in [0, 1] as read (IDX bytes / 255) instead of thresholding at 0.5." };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("rbm", "Time Bernoulli RBM training epochs (CD-k) and print the median seconds per epoch.");
        foreach (var o in new Option[] { data, rows, epochs, hidden, batch, cd, phase, lr, momentum, grey, threads, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(data)!;
            if (!File.Exists(path)) throw new CliException($"data file not found: {path}");
            int? maxRows = parse.GetValue(rows);
            if (maxRows is <= 0) throw new CliException("--rows must be at least 1.");
            int e = CommonOptions.Range("--epochs", parse.GetValue(epochs), 1, 10000);
            var backend = new CpuBackend(CommonOptions.Range("--threads", parse.GetValue(threads), 0, 1024));
            float rate = parse.GetValue(lr);
            if (!(rate > 0) || !float.IsFinite(rate)) throw new CliException($"--lr must be positive (got {rate}).");
            float mom = parse.GetValue(momentum);
            if (!(mom >= 0 && mom < 1)) throw new CliException($"--momentum must be in [0, 1) (got {mom}).");

            var load = Stopwatch.StartNew();
            var features = DataReader.Read(path, new DataReadOptions { MaxRows = maxRows }).Features;
            bool greyData = parse.GetValue(grey);
            if (!greyData) new ThresholdBinarizer().TransformInPlace(features);
            double loadSeconds = load.Elapsed.TotalSeconds;
            var options = new RbmTrainingOptions
            {
                HiddenUnits = CommonOptions.Range("--hidden", parse.GetValue(hidden), 1, 1_000_000),
                BatchSize = CommonOptions.Range("--batch", parse.GetValue(batch), 1, 1_000_000),
                NegativePhase = Phase(parse.GetValue(phase)!, CommonOptions.Range("--cd", parse.GetValue(cd), 1, 10000)),
                Epochs = e,
                LearningRate = rate,
                Momentum = mom,
                LearningRateSchedule = LearningRateSchedule.Constant,
                L2WeightDecay = 0f,             // as scikit-learn's BernoulliRBM: plain SGD steps, no weight decay
                MonitorRows = 1,
                Backend = backend,
            };
            var model = RbmTrainer.CreateBernoulli(features.View, options);
            var clock = new EpochClock(e);
            var result = RbmTrainer.Train(model, features.View, options, clock);
            var times = clock.EpochSeconds();
            var sorted = (double[])times.Clone();
            Array.Sort(sorted);
            double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
            int batches = (features.Rows + options.BatchSize - 1) / options.BatchSize;
            var summary = new JsonObject
            {
                ["benchmark"] = "rbm",
                ["backend"] = backend.Name,
                ["threads"] = backend.Threads,
                ["rows"] = features.Rows,
                ["visible"] = features.Columns,
                ["hidden"] = options.HiddenUnits,
                ["batch"] = options.BatchSize,
                ["negativePhase"] = options.NegativePhase.ToString(),
                ["momentum"] = options.Momentum,
                ["binarisation"] = greyData ? "none (grey, bytes / 255)" : "threshold 0.5 of bytes / 255",
                ["epochs"] = result.EpochsRun,
                ["loadSeconds"] = loadSeconds,
                ["secondsPerEpoch"] = median,
                ["millisecondsPerBatch"] = 1e3 * median / batches,
                ["epochSeconds"] = JsonOutput.Numbers(times),
                ["reconstructionError"] = JsonOutput.Number(result.LastProgress?.TrainingLoss ?? double.NaN),
            };
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) JsonOutput.Write(parse, summary);
            else stdout.WriteLine($"rbm {features.Columns}x{options.HiddenUnits} {options.NegativePhase}{(greyData ? ", grey data" : "")}, batch {options.BatchSize}, {features.Rows} rows on {backend.Name}: {median:F3} s per epoch (median of {times.Length}; {1e3 * median / batches:F2} ms per batch)");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The negative phase named by <c>--phase</c>, with <paramref name="steps"/> Gibbs steps for CD and PCD.</summary>
    private static NegativePhase Phase(string name, int steps) => name switch
    {
        "pcd" => NegativePhase.PersistentContrastiveDivergence(steps),
        "tap2" => NegativePhase.Tap(2),
        "tap3" => NegativePhase.Tap(3),
        _ => NegativePhase.ContrastiveDivergence(steps),
    };

    /// <summary>Synchronous progress sink recording the end time of each epoch.</summary>
    private sealed class EpochClock(int epochs) : IProgress<TrainingProgress>
    {
        private readonly List<double> _ends = new(epochs);

        public void Report(TrainingProgress value) => _ends.Add(value.Seconds);

        public double[] EpochSeconds()
        {
            var times = new double[_ends.Count];
            for (int i = 0; i < times.Length; i++) times[i] = _ends[i] - (i == 0 ? 0 : _ends[i - 1]);
            return times;
        }
    }
}

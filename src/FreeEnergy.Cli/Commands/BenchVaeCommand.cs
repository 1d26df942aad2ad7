using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Commands.Vae;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Data;
using FreeEnergy.Training;

namespace FreeEnergy.Cli.Commands;

/// <summary>
/// <c>freeenergy bench vae --data DIR|TRAIN_FILE [--epochs E] [--threads T] [--max-rows N] [--json]</c>: trains the classic
/// MNIST VAE (784-400-20, ReLU, Bernoulli decoder, Adam 1e-3, batch 128) and reports seconds per epoch and the final
/// train / test -ELBO (test: the model's deterministic F_q on the t10k images next to the training file).
/// </summary>
internal static class BenchVaeCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "MNIST directory (train-images-idx3-ubyte[.gz], t10k-...) or the training image file.", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 1 };
        var maxRows = new Option<int>("--max-rows") { Description = "Use only the first N training and test rows (0 = all; smoke runs).", DefaultValueFactory = _ => 0 };
        var threads = CommonOptions.Threads();
        var seed = CommonOptions.Seed();
        var json = CommonOptions.Json();
        var command = new Command("vae", "Time training epochs of the classic MNIST VAE (784-400-20 ReLU, Bernoulli, Adam 1e-3, batch 128).");
        foreach (var o in new Option[] { data, epochs, maxRows, threads, seed, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            int e = CommonOptions.Range("--epochs", parse.GetValue(epochs), 1, 10000);
            int limit = CommonOptions.Range("--max-rows", parse.GetValue(maxRows), 0);
            var backend = new CpuBackend(CommonOptions.Range("--threads", parse.GetValue(threads), 0, 1024));
            var (trainPath, testPath) = Locate(parse.GetValue(data)!);
            var readOptions = new DataReadOptions { MaxRows = limit > 0 ? limit : null };
            var load = Stopwatch.StartNew();
            var train = DataReader.Read(trainPath, readOptions);
            var test = testPath is null ? null : DataReader.Read(testPath, readOptions);
            double loadSeconds = load.Elapsed.TotalSeconds;

            var options = new VaeTrainingOptions
            {
                LatentDimension = 20, EncoderLayers = [400], Activation = Compute.Activation.Relu, Likelihood = Models.VaeLikelihood.Bernoulli,
                LearningRate = 1e-3f, BatchSize = 128, Epochs = e, Seed = parse.GetValue(seed),
            };
            var log = new EpochLog();
            int gc0 = GC.CollectionCount(0);
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            var model = VaeVerbs.Train(train, null, options, backend, log);
            double trainSeconds = clock.Elapsed.TotalSeconds;
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            gc0 = GC.CollectionCount(0) - gc0;
            double testNegElbo = double.NaN, scoreSeconds = 0;
            if (test is not null)
            {
                clock.Restart();
                var scores = VaeVerbs.Score(model, test.Features);
                scoreSeconds = clock.Elapsed.TotalSeconds;
                double s = 0;
                foreach (var v in scores) s += v;
                testNegElbo = s / scores.Length;
            }

            var perEpoch = new JsonArray();
            var epochsJson = new JsonArray();
            double previous = 0;
            for (int i = 0; i < log.Reports.Count; i++)
            {
                var p = log.Reports[i];
                double seconds = p.Seconds - previous;
                previous = p.Seconds;
                perEpoch.Add((JsonNode)JsonValue.Create(seconds)); // the JsonNode overload: the generic Add<T> is not trim-safe (build/publish-worker.sh)
                epochsJson.Add((JsonNode)new JsonObject { ["epoch"] = p.Epoch, ["seconds"] = seconds, ["cpuSeconds"] = log.CpuSeconds[i], ["trainNegElbo"] = JsonOutput.Number(p.TrainingLoss) });
            }
            var last = log.Reports.Count > 0 ? log.Reports[^1] : null;
            var result = new JsonObject
            {
                ["benchmark"] = "vae",
                ["framework"] = "freeenergyml",
                ["backend"] = backend.Name,
                ["threads"] = backend.Threads,
                ["model"] = "784-400-20 relu, bernoulli decoder",
                ["batch"] = options.BatchSize,
                ["learningRate"] = options.LearningRate,
                ["trainRows"] = train.Features.Rows,
                ["testRows"] = test?.Features.Rows ?? 0,
                ["loadSeconds"] = loadSeconds,
                ["trainSeconds"] = trainSeconds,
                ["trainAllocatedBytes"] = allocated,
                ["trainGen0Collections"] = gc0,
                ["epochs"] = epochsJson,
                ["secondsPerEpoch"] = perEpoch,
                ["trainNegElbo"] = JsonOutput.Number(last?.TrainingLoss ?? double.NaN),
                ["testNegElbo"] = JsonOutput.Number(testNegElbo),
                ["testScoringSamples"] = model.ScoringSamples,
                ["scoreSeconds"] = scoreSeconds,
            };
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) JsonOutput.Write(parse, result);
            else
            {
                foreach (var p in epochsJson) stdout.WriteLine($"epoch {p!["epoch"]}: {(double)p["seconds"]!:F2} s, train -ELBO {p["trainNegElbo"]}");
                stdout.WriteLine($"test -ELBO (F_q, {model.ScoringSamples} fixed draws): {testNegElbo:F3} on {test?.Features.Rows ?? 0} rows; {backend.Name}");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    internal static (string Train, string? Test) Locate(string path)
    {
        if (Directory.Exists(path))
        {
            var train = First(path, "train-images-idx3-ubyte.gz", "train-images-idx3-ubyte", "train-images.idx3-ubyte")
                ?? throw new CliException($"no train-images-idx3-ubyte[.gz] in {path}.");
            return (train, First(path, "t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"));
        }
        if (!File.Exists(path)) throw new CliException($"--data {path}: no such file or directory.");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return (path, First(dir, "t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"));
    }

    private static string? First(string dir, params string[] names)
    {
        foreach (var n in names)
        {
            var p = Path.Combine(dir, n);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>Synchronous progress sink (Progress&lt;T&gt; would post to the thread pool).</summary>
    internal sealed class EpochLog : IProgress<TrainingProgress>
    {
        private readonly Process _process = Process.GetCurrentProcess();
        private TimeSpan _cpu;
        public EpochLog() { _process.Refresh(); _cpu = _process.TotalProcessorTime; }
        public List<TrainingProgress> Reports { get; } = [];
        /// <summary>Process CPU seconds (all threads) per epoch: robust to a loaded machine, unlike wall time.</summary>
        public List<double> CpuSeconds { get; } = [];
        public void Report(TrainingProgress value)
        {
            _process.Refresh();
            var now = _process.TotalProcessorTime;
            CpuSeconds.Add((now - _cpu).TotalSeconds);
            _cpu = now;
            Reports.Add(value);
        }
    }
}

// FreeEnergyML in an ML.NET pipeline: MNIST anomaly detection. One digit is "normal" (the training data holds only
// that digit); at test time every other digit is an anomaly. The FreeEnergy anomaly trainer learns a Bernoulli RBM on
// Fit, calibrates its threshold on the training scores (target false positive rate), and ML.NET's own
// AnomalyDetection.Evaluate reports the metrics. The fitted pipeline is then saved, loaded and checked.
//
//   dotnet run -c Release --project samples/AnomalyDetection -- [--data DIR] [--digit 0] [--train 2000] [--test 2000]
//       [--hidden 64] [--epochs 5]
// DIR holds train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz
// (default: the first of data/mnist and ../shared/data/mnist that exists, from the current folder or a parent).
using System.Diagnostics;
using System.Globalization;
using FreeEnergy.Data;
using FreeEnergy.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.FreeEnergy;

var settings = Arguments.Parse(args);
var clock = Stopwatch.StartNew();
string folder = settings.DataFolder ?? Arguments.FindMnist()
    ?? throw new DirectoryNotFoundException("MNIST not found: pass --data DIR (the folder with the four *-ubyte.gz files).");

var train = DataReader.Read(Path.Combine(folder, "train-images-idx3-ubyte.gz"), new DataReadOptions { Class = settings.Digit, MaxRows = settings.TrainRows });
var test = DataReader.Read(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), new DataReadOptions { MaxRows = settings.TestRows });
Console.WriteLine($"MNIST from {folder}: training on {train.Features.Rows} images of digit {settings.Digit}; testing on {test.Features.Rows} images of all digits (other digits = anomalies).");

var ml = new MLContext(seed: 1);
IDataView trainView = ml.Data.LoadFromEnumerable(MnistRow.From(train, settings.Digit));
IDataView testView = ml.Data.LoadFromEnumerable(MnistRow.From(test, settings.Digit));

var options = new FreeEnergyAnomalyDetectionOptions
{
    FeatureColumnName = nameof(MnistRow.Features),
    ModelKind = FreeEnergyModelKind.BernoulliRbm,
    Seed = 42,
    Rbm = new FreeEnergyRbmOptions
    {
        HiddenUnits = settings.Hidden,
        Epochs = settings.Epochs,
        BatchSize = 50,
        NegativePhase = NegativePhase.PersistentContrastiveDivergence(steps: 1, chains: 100),
    },
    ThresholdMethod = FreeEnergy.Evaluation.ThresholdMethod.FalsePositiveRate,
    Rate = 0.05,
};
var pipeline = ml.AnomalyDetection.Trainers.FreeEnergy(options);
var detector = pipeline.Fit(trainView);
Console.WriteLine($"Trained a {detector.Model.InputDimension}x{detector.Model.EncodedDimension} {detector.Model.Kind}; threshold {detector.Threshold}.");

var scored = detector.Transform(testView);
var metrics = ml.AnomalyDetection.Evaluate(scored, labelColumnName: nameof(MnistRow.Label));
var labels = scored.GetColumn<float>(nameof(MnistRow.Label)).ToArray();
var predicted = scored.GetColumn<bool>("PredictedLabel").ToArray();
int anomalies = labels.Count(l => l > 0), flaggedAnomalies = 0, flaggedNormal = 0;
for (int i = 0; i < labels.Length; i++)
{
    if (!predicted[i]) continue;
    if (labels[i] > 0) flaggedAnomalies++; else flaggedNormal++;
}

Console.WriteLine();
Console.WriteLine("AnomalyDetection.Evaluate metrics (test set):");
Console.WriteLine($"  AreaUnderRocCurve                  {metrics.AreaUnderRocCurve:F4}");
Console.WriteLine($"  DetectionRateAtFalsePositiveCount  {metrics.DetectionRateAtFalsePositiveCount:F4}");
Console.WriteLine($"PredictedLabel at the calibrated threshold: {flaggedAnomalies} of {anomalies} anomalies flagged (recall {Ratio(flaggedAnomalies, anomalies)}), "
    + $"{flaggedNormal} of {labels.Length - anomalies} normal images flagged (false positive rate {Ratio(flaggedNormal, labels.Length - anomalies)}).");

// The fitted detector is plain ML.NET transforms underneath: save, load, and score again.
string path = Path.Combine(Path.GetTempPath(), $"freeenergy-anomaly-{Environment.ProcessId}.zip");
ml.Model.Save(detector, trainView.Schema, path);
var loaded = new MLContext().Model.Load(path, out _);
var again = loaded.Transform(testView).GetColumn<float>("Score").ToArray();
bool same = scored.GetColumn<float>("Score").SequenceEqual(again);
Console.WriteLine($"Saved to {path} ({new FileInfo(path).Length / 1024} KiB), loaded back: scores {(same ? "identical" : "DIFFERENT")}.");
File.Delete(path);
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F1} s.");
return same ? 0 : 1;

static string Ratio(int count, int total) => total == 0 ? "n/a" : ((double)count / total).ToString("F3", CultureInfo.InvariantCulture);

/// <summary>One image as ML.NET reads it: 784 pixels in [0, 1] and Label 1 for an anomaly (a digit other than the normal one).</summary>
internal sealed class MnistRow
{
    public const int Pixels = 28 * 28;

    [VectorType(Pixels)]
    public float[] Features { get; set; } = new float[Pixels];

    /// <summary>1 = anomaly, 0 = normal (AnomalyDetection.Evaluate reads a Single label).</summary>
    public float Label { get; set; }

    public static IEnumerable<MnistRow> From(DataSet data, int normalDigit)
    {
        var labels = data.Labels ?? throw new InvalidDataException($"{data.Source} has no labels.");
        for (int i = 0; i < data.Features.Rows; i++)
            yield return new MnistRow { Features = data.Features.Row(i).ToArray(), Label = labels[i] == normalDigit ? 0 : 1 };
    }
}

/// <summary>The sample's command line.</summary>
internal sealed record Arguments(string? DataFolder, int Digit, int TrainRows, int TestRows, int Hidden, int Epochs)
{
    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            values[args[i][2..]] = args[i + 1];
        }
        if (args.Length % 2 != 0) throw new ArgumentException($"Option '{args[^1]}' needs a value.");
        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new Arguments(values.GetValueOrDefault("data"), Int("digit", 0), Int("train", 2000), Int("test", 2000), Int("hidden", 64), Int("epochs", 5));
    }

    public static string? FindMnist()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "data", "mnist"), Path.Combine(dir.FullName, "..", "shared", "data", "mnist") })
                if (File.Exists(Path.Combine(candidate, "train-images-idx3-ubyte.gz"))) return Path.GetFullPath(candidate);
        }
        return null;
    }
}

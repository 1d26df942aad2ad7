// FreeEnergyML quick start: energy-based models as ML.NET pipeline steps, on MNIST.
//  1. Features: FreeEnergyEncode learns 100 RBM hidden units on Fit; a built-in ML.NET trainer classifies digits from them.
//  2. Anomalies: the FreeEnergy detector learns what an "8" looks like; every other digit should score as anomalous.
// Both are evaluated with ML.NET's own evaluators, saved with mlContext.Model.Save, loaded back, and asked about one image
// through a PredictionEngine.   dotnet run -c Release --project samples/QuickStart [-- MNIST_FOLDER]
using System.Diagnostics;
using FreeEnergy.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.FreeEnergy;

var clock = Stopwatch.StartNew();
string? folder = args.Length > 0 ? args[0] : Mnist.Find();
if (folder is null)
{
    Console.Error.WriteLine("MNIST not found: run build/fetch-mnist.sh (it fills data/mnist), or pass the folder with the four *-ubyte.gz files.");
    return 2;
}
var train = DataReader.Read(Path.Combine(folder, "train-images-idx3-ubyte.gz"));
var test = DataReader.Read(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), new DataReadOptions { MaxRows = 2_000 });
var ml = new MLContext(seed: 1);
IDataView trainData = ml.Data.LoadFromEnumerable(Digit.From(train));
IDataView someTrainData = ml.Data.TakeRows(trainData, 12_000);
IDataView testData = ml.Data.LoadFromEnumerable(Digit.From(test));
Console.WriteLine($"MNIST from {folder}: {train.Features.Rows} training and {test.Features.Rows} test images (28x28, pixels scaled to [0, 1]).");
string outFolder = Directory.CreateDirectory(Path.Combine("out", "quickstart")).FullName;

// 1. RBM features -> a linear classifier.
var classifier = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Digit.Number))
    .Append(ml.Transforms.FreeEnergyEncode("Hidden", nameof(Digit.Pixels), hiddenUnits: 100, epochs: 10, binarize: true))
    .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(featureColumnName: "Hidden", maximumNumberOfIterations: 20))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedNumber", "PredictedLabel"));
var classifierModel = classifier.Fit(someTrainData);
var classes = ml.MulticlassClassification.Evaluate(classifierModel.Transform(testData));
Console.WriteLine($"1. FreeEnergyEncode (100 RBM hidden units) -> SdcaMaximumEntropy, 12,000 training images: test accuracy {classes.MicroAccuracy:P1} ({clock.Elapsed.TotalSeconds:F0} s)");

// 2. The free-energy anomaly detector: trained on 8s only; the score is F(x) - L(x) (free energy minus the input's complexity).
const uint Normal = 8;
IDataView eights = ml.Data.FilterByCustomPredicate<Digit>(trainData, d => d.Number != Normal);
var detector = ml.AnomalyDetection.Trainers.FreeEnergy(nameof(Digit.Pixels), epochs: 20, binarize: true, subtractInputComplexity: true);
var detectorModel = detector.Fit(eights);
var anomalies = ml.AnomalyDetection.Evaluate(detectorModel.Transform(ml.Transforms.CustomMapping<Digit, AnomalyLabel>(
    (d, a) => a.IsAnomaly = d.Number == Normal ? 0 : 1, contractName: null).Fit(testData).Transform(testData)), labelColumnName: nameof(AnomalyLabel.IsAnomaly));
Console.WriteLine($"2. FreeEnergy detector ({detectorModel.Model.Kind} trained on the {Normal}s): test AUC {anomalies.AreaUnderRocCurve:F3}, "
    + $"detection rate {anomalies.DetectionRateAtFalsePositiveCount:P0} at the first false positives; threshold {detectorModel.Threshold.Value:F1} nats ({clock.Elapsed.TotalSeconds:F0} s)");

// 3. Save, load, and one prediction each through a PredictionEngine.
string classifierPath = Path.Combine(outFolder, "classifier.zip"), detectorPath = Path.Combine(outFolder, "detector.zip");
ml.Model.Save(classifierModel, trainData.Schema, classifierPath);
ml.Model.Save(detectorModel, trainData.Schema, detectorPath);
var loaded = new MLContext();
var classify = loaded.Model.CreatePredictionEngine<Digit, DigitPrediction>(loaded.Model.Load(classifierPath, out _));
var judge = loaded.Model.CreatePredictionEngine<Digit, AnomalyPrediction>(loaded.Model.Load(detectorPath, out _));
foreach (var image in new[] { Digit.From(test).First(d => d.Number == Normal), Digit.From(test).First(d => d.Number == 3) })
{
    var c = classify.Predict(image);
    var a = judge.Predict(image);
    Console.WriteLine($"3. Loaded from {Path.GetRelativePath(Directory.GetCurrentDirectory(), outFolder)}: a {image.Number} is read as {c.PredictedNumber}; "
        + $"anomaly score {a.Score:F1} nats -> {(a.PredictedLabel ? "anomalous" : "normal")} for a model of {Normal}s");
}
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F0} s. Next: README (ML.NET section, the freeenergy command line).");
return 0;

/// <summary>One MNIST image: 784 pixels in [0, 1] and the digit it shows.</summary>
internal sealed class Digit
{
    [VectorType(784)]
    public float[] Pixels { get; set; } = new float[784];

    public uint Number { get; set; }

    public static IEnumerable<Digit> From(DataSet data)
    {
        var labels = data.Labels ?? throw new InvalidDataException($"{data.Source} has no label file beside it.");
        for (int i = 0; i < data.Features.Rows; i++) yield return new Digit { Pixels = data.Features.Row(i).ToArray(), Number = (uint)labels[i] };
    }
}

/// <summary>Whether an image is an anomaly for the detector (1: not the normal digit); AnomalyDetection.Evaluate reads a Single.</summary>
internal sealed class AnomalyLabel
{
    public float IsAnomaly { get; set; }
}

internal sealed class DigitPrediction
{
    public uint PredictedNumber { get; set; }
}

internal sealed class AnomalyPrediction
{
    public float Score { get; set; }

    public bool PredictedLabel { get; set; }
}

/// <summary>Where MNIST is: $FREEENERGY_MNIST, data/mnist (build/fetch-mnist.sh), or ../shared/data/mnist, from here upwards.</summary>
internal static class Mnist
{
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable("FREEENERGY_MNIST") is { Length: > 0 } given) return given;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "data", "mnist"), Path.Combine(dir.FullName, "..", "shared", "data", "mnist") })
                if (File.Exists(Path.Combine(candidate, "t10k-images-idx3-ubyte.gz"))) return Path.GetFullPath(candidate);
        return null;
    }
}

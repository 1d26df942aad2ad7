using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using FreeEnergy.Data;
using Microsoft.ML;
using Microsoft.ML.FreeEnergy;

namespace FreeEnergy.MlNet.Bench;

/// <summary>
/// The one-class MNIST protocol through ML.NET: each digit in turn is normal (train on that digit's training images),
/// all 10,000 test images are scored, and <c>AnomalyDetection.Evaluate</c> gives the AUC for "not that digit". The
/// FreeEnergy detectors (VAE and RBM, binarised and complexity-corrected; the VAE with its defaults on grey pixels) beside
/// ML.NET's <c>RandomizedPca</c> (its defaults: rank 20, zero mean), all in one run, with the seconds each Fit took.
/// </summary>
internal static class OneClassAuc
{
    private sealed record Detector(string Name, Func<MLContext, int, IEstimator<ITransformer>> Create);

    public static JsonObject Run(BenchArguments arguments)
    {
        string folder = arguments.MnistFolder();
        int epochs = arguments.Int("epochs", FreeEnergyDefaults.Epochs);
        var train = DataReader.Read(Path.Combine(folder, "train-images-idx3-ubyte.gz"));
        var test = DataReader.Read(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"));
        var detectors = new[]
        {
            new Detector("randomized_pca", (ml, _) => ml.AnomalyDetection.Trainers.RandomizedPca(nameof(MnistRow.Features))),
            new Detector("freeenergy_vae_corrected", (ml, _) => ml.AnomalyDetection.Trainers.FreeEnergy(nameof(MnistRow.Features), FreeEnergyModelKind.Vae, epochs, binarize: true, subtractInputComplexity: true, seed: 1)),
            new Detector("freeenergy_rbm_corrected", (ml, _) => ml.AnomalyDetection.Trainers.FreeEnergy(nameof(MnistRow.Features), FreeEnergyModelKind.BernoulliRbm, epochs, binarize: true, subtractInputComplexity: true, seed: 1)),
            new Detector("freeenergy_vae_grey", (ml, _) => ml.AnomalyDetection.Trainers.FreeEnergy(nameof(MnistRow.Features), FreeEnergyModelKind.Vae, epochs, seed: 1)),
            new Detector("freeenergy_vae2_corrected", (ml, _) => ml.AnomalyDetection.Trainers.FreeEnergy(nameof(MnistRow.Features), FreeEnergyModelKind.HierarchicalVae, epochs, binarize: true, subtractInputComplexity: true, seed: 1)),
        };
        if (arguments.Values.TryGetValue("detectors", out var chosen))
        {
            var names = chosen.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.FirstOrDefault(n => detectors.All(d => d.Name != n)) is { } unknown)
                throw new ArgumentException($"--detectors: no detector '{unknown}' (have {string.Join(", ", detectors.Select(d => d.Name))}).");
            detectors = detectors.Where(d => names.Contains(d.Name)).ToArray();
        }
        var perDigit = new JsonArray();
        var sums = new Dictionary<string, double>();
        var fitSeconds = new Dictionary<string, double>();
        var digits = arguments.Digits;
        Console.Error.WriteLine($"| digit | {string.Join(" | ", detectors.Select(d => d.Name))} |");
        Console.Error.WriteLine("|---|" + string.Concat(detectors.Select(_ => "---|")));
        foreach (int digit in digits)
        {
            var ml = new MLContext(seed: 1);
            var training = ml.Data.LoadFromEnumerable(MnistRow.From(train, digit, onlyNormal: true));
            var testing = ml.Data.Cache(ml.Data.LoadFromEnumerable(MnistRow.From(test, digit, onlyNormal: false)));
            var entry = new JsonObject { ["digit"] = digit };
            foreach (var detector in detectors)
            {
                var clock = Stopwatch.StartNew();
                var model = detector.Create(ml, digit).Fit(training);
                double fit = clock.Elapsed.TotalSeconds;
                var metrics = ml.AnomalyDetection.Evaluate(model.Transform(testing), labelColumnName: nameof(MnistRow.Label));
                entry[detector.Name] = Math.Round(metrics.AreaUnderRocCurve, 5);
                entry[detector.Name + "_fit_seconds"] = Math.Round(fit, 1);
                sums[detector.Name] = sums.GetValueOrDefault(detector.Name) + metrics.AreaUnderRocCurve;
                fitSeconds[detector.Name] = fitSeconds.GetValueOrDefault(detector.Name) + fit;
            }
            perDigit.Add((JsonNode)entry);
            Console.Error.WriteLine($"| {digit} | {string.Join(" | ", detectors.Select(d => entry[d.Name]!.ToJsonString()))} |");
        }
        var mean = new JsonObject();
        foreach (var d in detectors) mean[d.Name] = Math.Round(sums[d.Name] / digits.Length, 5);
        var seconds = new JsonObject();
        foreach (var d in detectors) seconds[d.Name] = Math.Round(fitSeconds[d.Name], 1);
        Console.Error.WriteLine($"| mean | {string.Join(" | ", detectors.Select(d => mean[d.Name]!.ToJsonString()))} |");
        var beats = new JsonObject();
        if (detectors.Any(d => d.Name == "randomized_pca"))
            foreach (var d in detectors.Where(d => d.Name.StartsWith("freeenergy_", StringComparison.Ordinal)))
                beats[d.Name] = $"{perDigit.Count(e => e![d.Name]!.GetValue<double>() > e["randomized_pca"]!.GetValue<double>())} of {digits.Length}";
        return new JsonObject
        {
            ["benchmark"] = "one-class MNIST through ML.NET: train on one digit's training images, score all 10,000 test images, AnomalyDetection.Evaluate AUC for 'other digit'",
            ["epochs"] = epochs,
            ["digits"] = perDigit,
            ["mean_auc"] = mean,
            ["fit_seconds_total"] = seconds,
            ["beats_pca_on_digits"] = beats,
            ["threads"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
        };
    }
}

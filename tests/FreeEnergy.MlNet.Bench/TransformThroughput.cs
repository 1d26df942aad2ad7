using System.Diagnostics;
using System.Text.Json.Nodes;
using FreeEnergy.Data;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.FreeEnergy;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FreeEnergy.MlNet.Bench;

/// <summary>
/// Rows per second of a trained 784 x H RBM (default 500) on the first N MNIST test rows (default 10,000), each figure the
/// median of five rounds that run every path in turn after a warm-up, all in one process: the engine on the whole matrix; ML.NET's <c>Transform</c> of
/// <c>FreeEnergyScore</c> and <c>FreeEnergyEncode</c> over a cached <c>IDataView</c>, read through a cursor; the bulk path
/// <c>ScoreRows</c>; and the two per-row bounds behind a row-at-a-time cursor: the engine called one row at a time, and
/// ONNX Runtime run on one row at a time (what OnnxTransformer does per row); and the anomaly detector's <c>Transform</c>
/// with a one-level and a two-level VAE (binarised, complexity-corrected, the shapes of the defaults).
/// </summary>
internal static class TransformThroughput
{
    public static JsonObject Run(BenchArguments arguments)
    {
        int rows = arguments.Int("rows", 10_000), hidden = arguments.Int("hidden", 500);
        var test = DataReader.Read(Path.Combine(arguments.MnistFolder(), "t10k-images-idx3-ubyte.gz"), new DataReadOptions { MaxRows = rows });
        var x = test.Features;
        var model = RbmTrainer.TrainBernoulli(x.View, new RbmTrainingOptions { HiddenUnits = hidden, Epochs = 1, Seed = 1 });
        var ml = new MLContext(seed: 1);
        var data = ml.Data.Cache(ml.Data.LoadFromEnumerable(Enumerable.Range(0, x.Rows).Select(r => new MnistRow { Features = x.Row(r).ToArray() })));

        var score = ml.Transforms.FreeEnergyScore("Score", nameof(MnistRow.Features), model).Fit(data);
        var encode = ml.Transforms.FreeEnergyEncode("Hidden", nameof(MnistRow.Features), model).Fit(data);
        // The detector as users meet it (binarised, complexity-corrected; 1 epoch: scoring cost does not depend on training).
        FreeEnergyAnomalyDetectionTransformer Detector(FreeEnergyModelKind kind) => ml.AnomalyDetection.Trainers
            .FreeEnergy(nameof(MnistRow.Features), kind, epochs: 1, binarize: true, subtractInputComplexity: true, seed: 1).Fit(data);
        var vaeDetector = Detector(FreeEnergyModelKind.Vae);
        var vae2Detector = Detector(FreeEnergyModelKind.HierarchicalVae);
        var paths = new (string Name, Action Pass)[]
        {
            ("engine_score", () => model.FreeEnergy(x.View)),
            ("mlnet_transform_score", () => Drain<float>(score.Transform(data), "Score")),
            ("mlnet_score_rows", () => score.ScoreRows(data)),
            ("engine_score_one_row_at_a_time", () => { for (int r = 0; r < x.Rows; r++) model.FreeEnergy(x.View.RowRange(r, 1)); }),
            ("onnxruntime_score_one_row_at_a_time", OnnxRuntimePerRow(model, x)),
            ("engine_encode", () => model.Encode(x.View)),
            ("mlnet_transform_encode", () => Drain<VBuffer<float>>(encode.Transform(data), "Hidden")),
            ("mlnet_detector_vae", () => Drain<float>(vaeDetector.Transform(data), "Score")),
            ("mlnet_detector_vae2", () => Drain<float>(vae2Detector.Transform(data), "Score")),
        };
        var figures = RowsPerSecond(x.Rows, paths);
        double Ratio(string a, string b) => Math.Round(figures[a]!.GetValue<double>() / figures[b]!.GetValue<double>(), 3);
        var ratios = new JsonObject
        {
            ["mlnet_transform_score_vs_engine"] = Ratio("mlnet_transform_score", "engine_score"),
            ["mlnet_score_rows_vs_engine"] = Ratio("mlnet_score_rows", "engine_score"),
            ["engine_one_row_at_a_time_vs_engine"] = Ratio("engine_score_one_row_at_a_time", "engine_score"),
            ["onnxruntime_one_row_at_a_time_vs_engine"] = Ratio("onnxruntime_score_one_row_at_a_time", "engine_score"),
            ["mlnet_transform_encode_vs_engine"] = Ratio("mlnet_transform_encode", "engine_encode"),
            ["mlnet_detector_vae2_vs_vae"] = Ratio("mlnet_detector_vae2", "mlnet_detector_vae"),
        };
        Console.Error.WriteLine("| path | rows/s |");
        Console.Error.WriteLine("|---|---|");
        foreach (var (name, value) in figures) Console.Error.WriteLine($"| {name} | {value} |");
        return new JsonObject
        {
            ["benchmark"] = $"rows/s of a 784x{hidden} Bernoulli RBM on {x.Rows} MNIST test rows, median of 5 passes",
            ["rows_per_second"] = figures,
            ["ratios"] = ratios,
        };
    }

    /// <summary>
    /// Rows per second of each path: one warm-up pass each, then five rounds that run every path once in turn (so a change
    /// in the machine's load falls on all of them alike), the median round of each.
    /// </summary>
    private static JsonObject RowsPerSecond(int rows, (string Name, Action Pass)[] paths)
    {
        foreach (var (_, pass) in paths) pass();
        var seconds = paths.Select(_ => new double[5]).ToArray();
        for (int round = 0; round < 5; round++)
            for (int p = 0; p < paths.Length; p++)
            {
                long start = Stopwatch.GetTimestamp();
                paths[p].Pass();
                seconds[p][round] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
        var figures = new JsonObject();
        for (int p = 0; p < paths.Length; p++)
        {
            Array.Sort(seconds[p]);
            figures[paths[p].Name] = Math.Round(rows / seconds[p][2]);
        }
        return figures;
    }

    private static void Drain<T>(IDataView view, string column)
    {
        var c = view.Schema[column];
        using var cursor = view.GetRowCursor(new[] { c });
        var getter = cursor.GetGetter<T>(c);
        T value = default!;
        while (cursor.MoveNext()) getter(ref value);
    }

    /// <summary>One pass of ONNX Runtime over the rows one at a time (the session lives as long as the process).</summary>
    private static Action OnnxRuntimePerRow(IFreeEnergyModel model, Matrix x)
    {
        var session = new InferenceSession(global::FreeEnergy.Onnx.OnnxExporter.Export(model, global::FreeEnergy.Onnx.OnnxGraphKind.Score));
        var input = new DenseTensor<float>(new[] { 1, x.Columns });
        var inputs = new[] { NamedOnnxValue.CreateFromTensor(global::FreeEnergy.Onnx.OnnxNames.Features, input) };
        return () =>
        {
            for (int r = 0; r < x.Rows; r++)
            {
                x.Row(r).CopyTo(input.Buffer.Span);
                session.Run(inputs).Dispose();
            }
        };
    }
}

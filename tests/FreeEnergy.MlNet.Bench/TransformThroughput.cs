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
/// median of five passes after a warm-up, all in one process: the engine on the whole matrix; ML.NET's <c>Transform</c> of
/// <c>FreeEnergyScore</c> and <c>FreeEnergyEncode</c> over a cached <c>IDataView</c>, read through a cursor; the bulk path
/// <c>ScoreRows</c>; and the two per-row bounds behind a row-at-a-time cursor: the engine called one row at a time, and
/// ONNX Runtime run on one row at a time (what OnnxTransformer does per row).
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
        var figures = new JsonObject
        {
            ["engine_score"] = RowsPerSecond(x.Rows, () => model.FreeEnergy(x.View)),
            ["mlnet_transform_score"] = RowsPerSecond(x.Rows, () => Drain<float>(score.Transform(data), "Score")),
            ["mlnet_score_rows"] = RowsPerSecond(x.Rows, () => score.ScoreRows(data)),
            ["engine_score_one_row_at_a_time"] = RowsPerSecond(x.Rows, () => { for (int r = 0; r < x.Rows; r++) model.FreeEnergy(x.View.RowRange(r, 1)); }),
            ["onnxruntime_score_one_row_at_a_time"] = OnnxRuntimePerRow(model, x),
            ["engine_encode"] = RowsPerSecond(x.Rows, () => model.Encode(x.View)),
            ["mlnet_transform_encode"] = RowsPerSecond(x.Rows, () => Drain<VBuffer<float>>(encode.Transform(data), "Hidden")),
        };
        double Ratio(string a, string b) => Math.Round(figures[a]!.GetValue<double>() / figures[b]!.GetValue<double>(), 3);
        var ratios = new JsonObject
        {
            ["mlnet_transform_score_vs_engine"] = Ratio("mlnet_transform_score", "engine_score"),
            ["mlnet_score_rows_vs_engine"] = Ratio("mlnet_score_rows", "engine_score"),
            ["engine_one_row_at_a_time_vs_engine"] = Ratio("engine_score_one_row_at_a_time", "engine_score"),
            ["onnxruntime_one_row_at_a_time_vs_engine"] = Ratio("onnxruntime_score_one_row_at_a_time", "engine_score"),
            ["mlnet_transform_encode_vs_engine"] = Ratio("mlnet_transform_encode", "engine_encode"),
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

    private static double RowsPerSecond(int rows, Action pass)
    {
        pass();
        var times = new double[5];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            pass();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(times);
        return Math.Round(rows / times[times.Length / 2]);
    }

    private static void Drain<T>(IDataView view, string column)
    {
        var c = view.Schema[column];
        using var cursor = view.GetRowCursor(new[] { c });
        var getter = cursor.GetGetter<T>(c);
        T value = default!;
        while (cursor.MoveNext()) getter(ref value);
    }

    private static double OnnxRuntimePerRow(IFreeEnergyModel model, Matrix x)
    {
        using var session = new InferenceSession(global::FreeEnergy.Onnx.OnnxExporter.Export(model, global::FreeEnergy.Onnx.OnnxGraphKind.Score));
        var input = new DenseTensor<float>(new[] { 1, x.Columns });
        var inputs = new[] { NamedOnnxValue.CreateFromTensor(global::FreeEnergy.Onnx.OnnxNames.Features, input) };
        return RowsPerSecond(x.Rows, () =>
        {
            for (int r = 0; r < x.Rows; r++)
            {
                x.Row(r).CopyTo(input.Buffer.Span);
                session.Run(inputs).Dispose();
            }
        });
    }
}

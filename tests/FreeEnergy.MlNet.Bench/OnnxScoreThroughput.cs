using System.Diagnostics;
using System.Text.Json.Nodes;
using FreeEnergy.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FreeEnergy.MlNet.Bench;

/// <summary>
/// ONNX Runtime for .NET on an exported graph: one batch of --rows MNIST test rows (default 1,000) run --repeat times
/// (default 30, after 5 warm-ups) with --threads intra-op threads; the median run as rows/s (build/bench.sh score).
/// </summary>
internal static class OnnxScoreThroughput
{
    public static JsonObject Run(BenchArguments arguments)
    {
        string model = arguments.Values.TryGetValue("model", out var m) ? m : throw new ArgumentException("onnx-score needs --model FILE.onnx");
        int rows = arguments.Int("rows", 1000), threads = arguments.Int("threads", 1), repeat = arguments.Int("repeat", 30);
        var x = DataReader.Read(Path.Combine(arguments.MnistFolder(), "t10k-images-idx3-ubyte.gz"), new DataReadOptions { MaxRows = rows }).Features;
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var input = new DenseTensor<float>(x.Data.AsMemory(0, x.Rows * x.Columns), new[] { x.Rows, x.Columns });
        var inputs = new[] { NamedOnnxValue.CreateFromTensor(global::FreeEnergy.Onnx.OnnxNames.Features, input) };
        for (int i = 0; i < 5; i++) session.Run(inputs).Dispose();
        var seconds = new double[repeat];
        for (int i = 0; i < repeat; i++)
        {
            long start = Stopwatch.GetTimestamp();
            session.Run(inputs).Dispose();
            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(seconds);
        return new JsonObject { ["rows"] = x.Rows, ["threads"] = threads, ["rowsPerSecond"] = Math.Round(x.Rows / seconds[repeat / 2]) };
    }
}

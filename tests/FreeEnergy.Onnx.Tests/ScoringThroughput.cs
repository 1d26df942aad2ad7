using FreeEnergy.Onnx.Tests.Harness;
using FreeEnergy.Onnx.Tests.Reference;
using Xunit.Abstractions;

namespace FreeEnergy.Onnx.Tests;

/// <summary>
/// Report-only timing (not an assertion): ONNX Runtime scoring throughput of a 784x500 Bernoulli RBM score
/// graph at batch 1000 with 2 intra-op threads, timed inside Node. Runs only with FREEENERGY_ONNX_BENCH=1:
/// <c>FREEENERGY_ONNX_BENCH=1 dotnet test tests/FreeEnergy.Onnx.Tests -c Release --filter ScoringThroughput --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class ScoringThroughput
{
    private readonly ITestOutputHelper _output;

    public ScoringThroughput(ITestOutputHelper output) => _output = output;

    public sealed class BenchFactAttribute : FactAttribute
    {
        public BenchFactAttribute()
        {
            if (Environment.GetEnvironmentVariable("FREEENERGY_ONNX_BENCH") != "1") Skip = "timing only: set FREEENERGY_ONNX_BENCH=1";
            else if (!OnnxRuntimeHarness.Available) Skip = OnnxRuntimeHarness.Reason;
        }
    }

    [BenchFact]
    public void Rbm_784x500_score_batch_1000_two_threads()
    {
        const int rows = 1000, d = 784, h = 500, threads = 2;
        var doc = TestModels.BernoulliRbm(d, h, seed: 1, weightScale: 0.05);
        var x = TestModels.RandomRows(rows, d, realValued: false, seed: 2);
        string folder = Directory.CreateTempSubdirectory("freeenergy-onnx-bench-").FullName;
        try
        {
            string path = Path.Combine(folder, "score.onnx");
            OnnxExporter.ExportToFile(doc, OnnxGraphKind.Score, path);
            var r = OnnxRuntimeHarness.Run(new[] { new OrtCase("bench", path, x, rows, d) { Repeat = 50 } }, threads)["bench"];
            Assert.True(r.Ok, r.Error);
            _output.WriteLine($"ONNX Runtime {h}x{d} RBM score, batch {rows}, {threads} threads: mean {r.MeanMs:F3} ms ({rows / r.MeanMs!.Value * 1000:F0} rows/s), best {r.MinMs:F3} ms ({rows / r.MinMs!.Value * 1000:F0} rows/s)");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FreeEnergy.Onnx.Tests.Harness;

/// <summary>One model run in ONNX Runtime: a model file and the <c>features</c> input.</summary>
internal sealed record OrtCase(string Id, string ModelPath, float[] Features, int Rows, int Columns)
{
    /// <summary>Timed runs after one warm-up (0 = none).</summary>
    public int Repeat { get; init; }
}

/// <summary>What ONNX Runtime answered for one <see cref="OrtCase"/>.</summary>
internal sealed record OrtResult(string Id, bool Ok, string? Error, IReadOnlyDictionary<string, OrtOutput> Outputs, double? MeanMs, double? MinMs);

/// <summary>One output tensor read back from ONNX Runtime.</summary>
internal sealed record OrtOutput(int[] Shape, float[] Data);

/// <summary>
/// Runs ONNX models in ONNX Runtime for .NET (Microsoft.ML.OnnxRuntime.Gpu 1.32.0, CPU execution provider) inside the
/// test process: one <see cref="InferenceSession"/> per case, <c>features</c> as a [rows, columns] float tensor, every
/// output read back. A model ONNX Runtime refuses, or a run that fails, gives a result with <c>Ok = false</c> and the
/// runtime's message.
/// </summary>
internal static class OnnxRuntimeHarness
{
    private static readonly Lazy<string?> Problem = new(Probe);

    /// <summary>Whether ONNX Runtime's native library loads here.</summary>
    public static bool Available => Problem.Value is null;

    /// <summary>Why ONNX Runtime is not available (empty when it is).</summary>
    public static string Reason => Problem.Value ?? "";

    /// <summary>Runs every case with <paramref name="threads"/> intra-op threads.</summary>
    public static IReadOnlyDictionary<string, OrtResult> Run(IReadOnlyList<OrtCase> cases, int threads = 1)
    {
        if (Problem.Value is { } problem) throw new InvalidOperationException(problem);
        var answer = new Dictionary<string, OrtResult>();
        foreach (var c in cases) answer[c.Id] = RunOne(c, threads);
        return answer;
    }

    private static OrtResult RunOne(OrtCase c, int threads)
    {
        try
        {
            using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
            using var session = new InferenceSession(c.ModelPath, options);
            var input = new DenseTensor<float>(c.Features, new[] { c.Rows, c.Columns });
            var inputs = new[] { NamedOnnxValue.CreateFromTensor(OnnxNames.Features, input) };
            var outputs = new Dictionary<string, OrtOutput>();
            using (var results = session.Run(inputs))
            {
                foreach (var result in results)
                {
                    var tensor = result.AsTensor<float>();
                    outputs[result.Name] = new OrtOutput(tensor.Dimensions.ToArray(), tensor.ToArray());
                }
            }
            double? mean = null, min = null;
            if (c.Repeat > 0)
            {
                session.Run(inputs).Dispose();
                var times = new double[c.Repeat];
                for (int i = 0; i < c.Repeat; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    session.Run(inputs).Dispose();
                    times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
                (mean, min) = (times.Average(), times.Min());
            }
            return new OrtResult(c.Id, true, null, outputs, mean, min);
        }
        catch (OnnxRuntimeException e)
        {
            return new OrtResult(c.Id, false, e.Message, new Dictionary<string, OrtOutput>(), null, null);
        }
    }

    private static string? Probe()
    {
        try
        {
            using var options = new SessionOptions();
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            return $"ONNX Runtime's native library does not load here ({e.GetType().Name}: {e.Message}).";
        }
    }

    internal static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FreeEnergyML.sln"))) return dir.FullName;
        return null;
    }
}

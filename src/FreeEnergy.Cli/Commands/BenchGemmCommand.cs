using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.Cli.Commands;

/// <summary><c>freeenergy bench gemm --m M --n N --k K [--transpose-a] [--transpose-b] [--threads T] [--json]</c>.</summary>
internal static class BenchGemmCommand
{
    public static Command Create()
    {
        var m = new Option<int>("--m") { Description = "Rows of op(A) and C.", DefaultValueFactory = _ => 1024 };
        var n = new Option<int>("--n") { Description = "Columns of op(B) and C.", DefaultValueFactory = _ => 1024 };
        var k = new Option<int>("--k") { Description = "Inner dimension.", DefaultValueFactory = _ => 1024 };
        var ta = new Option<bool>("--transpose-a") { Description = "Use A^T (A stored k x m)." };
        var tb = new Option<bool>("--transpose-b") { Description = "Use B^T (B stored n x k)." };
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats after warm-up (median reported).", DefaultValueFactory = _ => 10 };
        var simd = new Option<SimdLevel>("--simd") { Description = "Force a SIMD level (auto, scalar, vectort, avx2, avx512).", DefaultValueFactory = _ => SimdLevel.Auto };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("gemm", "Time C = op(A) op(B) and print GFLOP/s (median of repeats after warm-up).");
        foreach (var o in new Option[] { m, n, k, ta, tb, repeats, simd, threads, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            int mm = CommonOptions.Range("--m", parse.GetValue(m), 1, 1 << 16);
            int nn = CommonOptions.Range("--n", parse.GetValue(n), 1, 1 << 16);
            int kk = CommonOptions.Range("--k", parse.GetValue(k), 1, 1 << 16);
            int reps = CommonOptions.Range("--repeats", parse.GetValue(repeats), 1, 10000);
            var backend = new CpuBackend(CommonOptions.Range("--threads", parse.GetValue(threads), 0, 1024), parse.GetValue(simd));
            var transA = parse.GetValue(ta) ? Transpose.Transposed : Transpose.None;
            var transB = parse.GetValue(tb) ? Transpose.Transposed : Transpose.None;
            var a = Random(mm * kk, 1);
            var b = Random(kk * nn, 2);
            var c = new float[mm * nn];
            int lda = transA == Transpose.None ? kk : mm;
            int ldb = transB == Transpose.None ? nn : kk;
            double flops = 2.0 * mm * nn * kk;
            double median = MedianTimer.MedianSeconds(() => backend.Gemm(transA, transB, mm, nn, kk, 1f, a, lda, b, ldb, 0f, c, nn), reps, warmupSeconds: 0.2);
            var result = new JsonObject
            {
                ["benchmark"] = "gemm",
                ["backend"] = backend.Name,
                ["m"] = mm, ["n"] = nn, ["k"] = kk,
                ["transposeA"] = transA == Transpose.Transposed,
                ["transposeB"] = transB == Transpose.Transposed,
                ["threads"] = backend.Threads,
                ["repeats"] = reps,
                ["medianSeconds"] = median,
                ["gflops"] = flops / median / 1e9,
            };
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) JsonOutput.Write(parse, result);
            else stdout.WriteLine($"gemm {mm}x{nn}x{kk} {(transA == Transpose.Transposed ? "A^T" : "A")}*{(transB == Transpose.Transposed ? "B^T" : "B")} on {backend.Name}: {flops / median / 1e9:F1} GFLOP/s (median {median * 1e3:F3} ms of {reps})");
            return ExitCodes.Success;
        });
        return command;
    }

    private static float[] Random(int length, ulong stream)
    {
        var values = new float[length];
        Philox.FillUniform(42, stream, 0, values);
        for (int i = 0; i < values.Length; i++) values[i] -= 0.5f;
        return values;
    }
}

using System.Text.Json.Nodes;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Cuda;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.GpuCheck;

/// <summary>
/// The backend's GEMM on the GPU (on device buffers and through host spans, every transpose, padded leading
/// dimensions) against the CPU GEMM, to 1e-4 relative (|gpu - cpu| / max(1, |cpu|)). The kernels are checked through
/// the device seam (<see cref="SeamChecks"/>).
/// </summary>
internal sealed class ParityChecks(CudaBackend backend)
{
    private const double Tolerance = 1e-4;
    private readonly JsonArray results = [];

    public bool AllPassed { get; private set; } = true;

    public JsonArray RunAll()
    {
        Gemms();
        return results;
    }

    private static float[] Random(int n, ulong stream)
    {
        var x = new float[n];
        Philox.FillGaussian(2024, stream, 0, x);
        return x;
    }

    private CudaBuffer Up(float[] x) => backend.Upload(x);

    private void Compare(string name, ReadOnlySpan<float> cpu, ReadOnlySpan<float> gpu, double tolerance = Tolerance)
    {
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < cpu.Length; i++)
        {
            double e = Math.Abs((double)gpu[i] - cpu[i]) / Math.Max(1.0, Math.Abs(cpu[i]));
            if (double.IsNaN(e) || e > worst) { worst = double.IsNaN(e) ? double.PositiveInfinity : e; worstIndex = i; }
        }
        bool ok = cpu.Length == gpu.Length && worst <= tolerance;
        Record(name, ok, new JsonObject { ["elements"] = cpu.Length, ["maxRelativeError"] = double.IsFinite(worst) ? worst : null, ["worstIndex"] = worstIndex, ["tolerance"] = tolerance });
    }

    private void Record(string name, bool ok, JsonObject details)
    {
        details["name"] = name;
        details["passed"] = ok;
        results.Add((JsonNode)details);
        if (!ok) AllPassed = false;
    }

    private void Gemms()
    {
        foreach (var ta in new[] { Transpose.None, Transpose.Transposed })
            foreach (var tb in new[] { Transpose.None, Transpose.Transposed })
            {
                int m = 67, n = 45, kk = 33, pad = 3;
                int aRows = ta == Transpose.None ? m : kk, aCols = ta == Transpose.None ? kk : m;
                int bRows = tb == Transpose.None ? kk : n, bCols = tb == Transpose.None ? n : kk;
                int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
                var a = Random(aRows * lda, 1); var b = Random(bRows * ldb, 2); var c0 = Random(m * ldc, 3);
                var cpu = (float[])c0.Clone();
                new CpuBackend(1).Gemm(ta, tb, m, n, kk, 0.7f, a, lda, b, ldb, 0.3f, cpu, ldc);
                using var da = Up(a); using var db = Up(b); using var dc = Up(c0);
                backend.Gemm(ta, tb, m, n, kk, 0.7f, da, lda, db, ldb, 0.3f, dc, ldc);
                Compare($"gemm.buffers.{(ta == Transpose.None ? "N" : "T")}{(tb == Transpose.None ? "N" : "T")}", cpu, dc.ToArray());
                var viaSpans = (float[])c0.Clone();
                ((IComputeBackend)backend).Gemm(ta, tb, m, n, kk, 0.7f, a, lda, b, ldb, 0.3f, viaSpans, ldc);
                Compare($"gemm.spans.{(ta == Transpose.None ? "N" : "T")}{(tb == Transpose.None ? "N" : "T")}", cpu, viaSpans);
            }
        // beta = 0 must overwrite NaN in C.
        {
            int m = 8, n = 5, kk = 4;
            var a = Random(m * kk, 4); var b = Random(kk * n, 5);
            var c = new float[m * n]; Array.Fill(c, float.NaN);
            var cpu = new float[m * n];
            new CpuBackend(1).Gemm(Transpose.None, Transpose.None, m, n, kk, 1f, a, kk, b, n, 0f, cpu, n);
            ((IComputeBackend)backend).Gemm(Transpose.None, Transpose.None, m, n, kk, 1f, a, kk, b, n, 0f, c, n);
            Compare("gemm.beta0.overwritesNaN", cpu, c);
        }
    }
}

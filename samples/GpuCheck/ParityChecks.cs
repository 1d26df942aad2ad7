using System.Text.Json.Nodes;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Cuda;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.GpuCheck;

/// <summary>
/// Runs every kernel and GEMM on the GPU and on the CPU (the engine's functions or a scalar reference) and
/// compares: deterministic maths to 1e-4 relative (|gpu - cpu| / max(1, |cpu|)); uniform and Bernoulli draws
/// must be identical; Gaussian draws identical up to one float ulp of libm rounding.
/// </summary>
internal sealed class ParityChecks(CudaBackend backend)
{
    private const double Tolerance = 1e-4;
    private readonly CudaKernels k = backend.Kernels;
    private readonly JsonArray results = [];

    public bool AllPassed { get; private set; } = true;

    public JsonArray RunAll()
    {
        Gemms();
        Activations();
        SamplingChecks();
        Reductions();
        Optimizers();
        Ais();
        return results;
    }

    private static float[] Random(int n, ulong stream, float scale = 1f, float shift = 0f)
    {
        var x = new float[n];
        Philox.FillGaussian(2024, stream, 0, x);
        for (int i = 0; i < n; i++) x[i] = x[i] * scale + shift;
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

    private void CompareExact(string name, ReadOnlySpan<float> cpu, ReadOnlySpan<float> gpu)
    {
        int mismatches = 0;
        for (int i = 0; i < cpu.Length; i++) if (BitConverter.SingleToUInt32Bits(cpu[i]) != BitConverter.SingleToUInt32Bits(gpu[i])) mismatches++;
        Record(name, mismatches == 0, new JsonObject { ["elements"] = cpu.Length, ["mismatches"] = mismatches, ["rule"] = "bit-identical" });
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

    private void Activations()
    {
        int rows = 37, cols = 129, n = rows * cols;
        var x = Random(n, 10, 6f); var bias = Random(cols, 11);
        using var dx = Up(x); using var dbias = Up(bias); using var dy = backend.Allocate(n);

        var cpu = new float[n];
        for (int i = 0; i < n; i++) cpu[i] = FreeEnergy.Compute.Cpu.Activations.Sigmoid(x[i]);
        k.Sigmoid(dx, dy, n); Compare("sigmoid", cpu, dy.ToArray());

        for (int i = 0; i < n; i++) cpu[i] = FreeEnergy.Compute.Cpu.Activations.Softplus(x[i]);
        k.Softplus(dx, dy, n); Compare("softplus", cpu, dy.ToArray());

        for (int i = 0; i < n; i++) cpu[i] = FreeEnergy.Compute.Cpu.Activations.Sigmoid(x[i] + bias[i % cols]);
        k.BiasSigmoid(dx, dbias, dy, rows, cols); Compare("biasSigmoid", cpu, dy.ToArray());

        for (int i = 0; i < n; i++) cpu[i] = FreeEnergy.Compute.Cpu.Activations.Softplus(x[i] + bias[i % cols]);
        k.BiasSoftplus(dx, dbias, dy, rows, cols); Compare("biasSoftplus", cpu, dy.ToArray());

        var withBias = (float[])x.Clone();
        FreeEnergy.Compute.Cpu.Activations.AddRowBias(withBias, bias);
        dy.CopyFrom(dx, 0, 0, n);
        k.AddRowBias(dy, dbias, rows, cols); Compare("addRowBias", withBias, dy.ToArray());

        for (int i = 0; i < n; i++) cpu[i] = x[i] * -1.5f;
        dy.CopyFrom(dx, 0, 0, n);
        k.Scale(dy, -1.5f, n); Compare("scale", cpu, dy.ToArray());
    }

    private void SamplingChecks()
    {
        int n = 100_003;
        ulong seed = 0xFEEDFACECAFEUL, stream = Philox.Stream(5, 6, 7), start = 0xFFFFFFF0UL;
        using var dout = backend.Allocate(n);

        var u = new float[n];
        Philox.FillUniform(seed, stream, start, u);
        k.Uniform(dout, n, seed, stream, start);
        CompareExact("uniform.philox", u, dout.ToArray());

        var p = new float[n];
        Philox.FillUniform(99, 1, 0, p);
        using var dp = Up(p);
        var bern = new float[n];
        Sampling.Bernoulli(p, bern, seed, stream, start + 1);
        k.Bernoulli(dp, dout, n, seed, stream, start + 1);
        CompareExact("bernoulli", bern, dout.ToArray());

        var mean = Random(n, 20);
        using var dmean = Up(mean);
        var gauss = new float[n];
        Sampling.Gaussian(mean, 0.5f, gauss, seed, stream, start + 3);
        k.Gaussian(dmean, 0.5f, dout, n, seed, stream, start + 3);
        var gpu = dout.ToArray();
        int exact = 0;
        for (int i = 0; i < n; i++) if (gauss[i] == gpu[i]) exact++;
        Compare("gaussian", gauss, gpu, 1e-6);
        results[^1]!["bitIdenticalFraction"] = (double)exact / n;

        // Sampled statistics of the standard normal (independent of the CPU): mean ~ 0, variance ~ 1.
        using var zeros = backend.Allocate(n);
        zeros.Fill(0f);
        k.Gaussian(zeros, 1f, dout, n, 7, 8, 0);
        var z = dout.ToArray();
        double s = 0, s2 = 0;
        foreach (var v in z) { s += v; s2 += (double)v * v; }
        double m = s / n, var = s2 / n - m * m;
        Record("gaussian.moments", Math.Abs(m) < 5.0 / Math.Sqrt(n) && Math.Abs(var - 1) < 0.02, new JsonObject { ["mean"] = m, ["variance"] = var, ["elements"] = n });
    }

    private void Reductions()
    {
        int rows = 53, cols = 1000;
        var x = Random(rows * cols, 30, 3f);
        using var dx = Up(x); using var dr = backend.Allocate(Math.Max(rows, cols));

        var cpu = new float[rows];
        for (int r = 0; r < rows; r++) { double s = 0; for (int c = 0; c < cols; c++) s += x[r * cols + c]; cpu[r] = (float)s; }
        k.RowSums(dx, dr, rows, cols); Compare("rowSums", cpu, dr.ToArray().AsSpan(0, rows));

        FreeEnergy.Compute.Cpu.Activations.LogSumExpRows(x, cols, cpu);
        k.LogSumExpRows(dx, dr, rows, cols); Compare("logSumExpRows", cpu, dr.ToArray().AsSpan(0, rows));

        var colCpu = new float[cols];
        for (int c = 0; c < cols; c++) { double s = 0; for (int r = 0; r < rows; r++) s += x[r * cols + c]; colCpu[c] = (float)(s / rows); }
        k.ColumnSums(dx, dr, rows, cols, 1f / rows); Compare("columnSums", colCpu, dr.ToArray().AsSpan(0, cols));

        // RBM free energy: F(v) = -v.b - sum_j softplus((vW)_j + c_j), pre-activations by GEMM on both sides.
        int d = 31, h = 17, batch = 23;
        var v = new float[batch * d];
        Philox.FillUniform(3, 3, 0, v);
        for (int i = 0; i < v.Length; i++) v[i] = v[i] < 0.5f ? 1f : 0f;
        var w = Random(d * h, 31, 0.3f); var b = Random(d, 32); var c2 = Random(h, 33);
        var pre = new float[batch * h];
        new CpuBackend(1).Gemm(Transpose.None, Transpose.None, batch, h, d, 1f, v, d, w, h, 0f, pre, h);
        var fe = new float[batch];
        for (int r = 0; r < batch; r++)
        {
            double s = 0;
            for (int i = 0; i < d; i++) s -= v[r * d + i] * b[i];
            for (int j = 0; j < h; j++) s -= FreeEnergy.Compute.Cpu.Activations.Softplus((double)pre[r * h + j] + c2[j]);
            fe[r] = (float)s;
        }
        using var dv = Up(v); using var dw = Up(w); using var db = Up(b); using var dc = Up(c2);
        using var dpre = backend.Allocate(batch * h); using var dfe = backend.Allocate(batch);
        backend.Gemm(Transpose.None, Transpose.None, batch, h, d, 1f, dv, d, dw, h, 0f, dpre, h);
        k.RbmFreeEnergyRows(dv, db, dpre, dc, dfe, batch, d, h);
        Compare("rbmFreeEnergyRows", fe, dfe.ToArray());
    }

    private void Optimizers()
    {
        int n = 5000;
        var p = Random(n, 40); var g = Random(n, 41); var m = Random(n, 42, 0.1f); var v = Random(n, 43, 0.01f);
        for (int i = 0; i < n; i++) v[i] = Math.Abs(v[i]);
        using var dp = Up(p); using var dg = Up(g); using var dm = Up(m); using var dv = Up(v);
        float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 1e-4f; int step = 3;
        var cp = (float[])p.Clone(); var cm = (float[])m.Clone(); var cv = (float[])v.Clone();
        float c1 = (float)(1 - Math.Pow(b1, step)), c2 = (float)(1 - Math.Pow(b2, step));
        for (int i = 0; i < n; i++)
        {
            float gi = g[i] + wd * cp[i];
            cm[i] = b1 * cm[i] + (1 - b1) * gi;
            cv[i] = b2 * cv[i] + (1 - b2) * gi * gi;
            cp[i] -= lr * (cm[i] / c1) / (MathF.Sqrt(cv[i] / c2) + eps);
        }
        k.Adam(dp, dg, dm, dv, n, lr, b1, b2, eps, step, wd);
        Compare("adam.parameters", cp, dp.ToArray());
        Compare("adam.firstMoment", cm, dm.ToArray());
        Compare("adam.secondMoment", cv, dv.ToArray());

        var q = Random(n, 44); var vel = Random(n, 45, 0.1f);
        using var dq = Up(q); using var dvel = Up(vel);
        for (int i = 0; i < n; i++) { vel[i] = 0.9f * vel[i] - 0.01f * (g[i] + 1e-4f * q[i]); q[i] += vel[i]; }
        k.Momentum(dq, dg, dvel, n, 0.01f, 0.9f, 1e-4f);
        Compare("momentum.parameters", q, dq.ToArray());
        Compare("momentum.velocity", vel, dvel.ToArray());
    }

    private void Ais()
    {
        int n = 777, rows = 21, cols = 50;
        var w = Random(n, 50); var e = Random(n, 51, 10f); var prev = Random(n, 52, 10f);
        using var dw = Up(w); using var de = Up(e); using var dprev = Up(prev);
        var cpu = (float[])w.Clone();
        for (int i = 0; i < n; i++) cpu[i] += 0.01f * e[i];
        k.AisAccumulate(dw, de, n, 0.01f); Compare("aisAccumulate", cpu, dw.ToArray());
        for (int i = 0; i < n; i++) cpu[i] += e[i] - prev[i];
        k.LogWeightDifference(dw, de, dprev, n); Compare("logWeightDifference", cpu, dw.ToArray());

        var x = Random(rows * cols, 53); var bb = Random(cols, 54);
        using var dx = Up(x); using var dbb = Up(bb); using var dy = backend.Allocate(rows * cols);
        var t = new float[rows * cols];
        for (int i = 0; i < t.Length; i++) t[i] = 0.3f * x[i] + 0.7f * bb[i % cols];
        k.TemperRows(dx, dbb, dy, rows, cols, 0.3f); Compare("temperRows", t, dy.ToArray());
    }
}

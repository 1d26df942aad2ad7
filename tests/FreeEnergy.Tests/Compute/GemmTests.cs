using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;

namespace FreeEnergy.Tests.Compute;

/// <summary>CpuGemm against ReferenceGemm (double accumulation) at every SIMD level, thread count and transpose form.</summary>
public class GemmTests
{
    static GemmTests() => CpuFeatures.AllowEmulatedAvx512 = true;

    private static readonly int[] Sizes = [1, 3, 7, 17, 33, 100, 511, 1000];
    private static readonly (float Alpha, float Beta)[] Scalings = [(1f, 0f), (1f, 1f), (-0.5f, 0f), (0.75f, -2f), (-0.5f, 1f)];

    public static TheoryData<SimdLevel, bool, bool> LevelsAndForms()
    {
        var data = new TheoryData<SimdLevel, bool, bool>();
        foreach (var level in new[] { SimdLevel.Avx512, SimdLevel.Avx2, SimdLevel.VectorT, SimdLevel.Scalar })
            foreach (var ta in new[] { false, true })
                foreach (var tb in new[] { false, true })
                    data.Add(level, ta, tb);
        return data;
    }

    [Theory]
    [MemberData(nameof(LevelsAndForms))]
    public void EverySizeOnEverySideMatchesReference(SimdLevel level, bool ta, bool tb)
    {
        if (!CpuFeatures.IsSupported(level)) return;
        // Emulated AVX-512 is slow: keep its "other two" sides smaller.
        int small1 = level == SimdLevel.Avx512 && !CpuFeatures.IsHardwareAvx512 ? 9 : 19;
        int small2 = 6;
        int index = 0;
        foreach (int s in Sizes)
        {
            for (int side = 0; side < 3; side++)
            {
                int m = side == 0 ? s : small1, n = side == 1 ? s : side == 0 ? small2 : small1, k = side == 2 ? s : small2 + 1;
                var (alpha, beta) = Scalings[index % Scalings.Length];
                int threads = 1 + index % 3;
                int pad = index % 2 == 0 ? 0 : 3;
                CheckAgainstReference(level, ta, tb, m, n, k, alpha, beta, threads, pad, seed: index + 100 * s);
                index++;
            }
        }
    }

    [Theory]
    [MemberData(nameof(LevelsAndForms))]
    public void RandomShapesMatchReference(SimdLevel level, bool ta, bool tb)
    {
        if (!CpuFeatures.IsSupported(level)) return;
        bool slow = level == SimdLevel.Scalar || (level == SimdLevel.Avx512 && !CpuFeatures.IsHardwareAvx512);
        var random = new System.Random(1234 + (int)level * 4 + (ta ? 2 : 0) + (tb ? 1 : 0));
        int cases = slow ? 8 : 16;
        int max = slow ? 70 : 200;
        for (int c = 0; c < cases; c++)
        {
            int m = 1 + random.Next(max), n = 1 + random.Next(max), k = 1 + random.Next(max);
            var (alpha, beta) = Scalings[random.Next(Scalings.Length)];
            CheckAgainstReference(level, ta, tb, m, n, k, alpha, beta, threads: 1 + c % 3, pad: random.Next(3) * 5, seed: c);
        }
    }

    [Theory]
    [MemberData(nameof(LevelsAndForms))]
    public void NarrowShapesMatchReference(SimdLevel level, bool ta, bool tb)
    {
        if (!CpuFeatures.IsSupported(level)) return;
        bool slow = level == SimdLevel.Scalar || (level == SimdLevel.Avx512 && !CpuFeatures.IsHardwareAvx512);
        int wide = slow ? 40 : 130, depth = slow ? 30 : 150;
        int seed = 0;
        foreach (int narrow in new[] { 5, 6, 7, 8, 9 })
        {
            CheckAgainstReference(level, ta, tb, narrow, wide, depth, 1f, 0f, 1 + seed % 3, seed % 2 * 3, seed++);
            CheckAgainstReference(level, ta, tb, wide, narrow, depth, -0.5f, 1f, 1 + seed % 3, seed % 2 * 3, seed++);
        }
    }

    [Fact]
    public void TrainingShapesMatchReference()
    {
        var level = CpuFeatures.Best == SimdLevel.Avx512 ? SimdLevel.Avx512 : CpuFeatures.IsSupported(SimdLevel.Avx2) ? SimdLevel.Avx2 : SimdLevel.VectorT;
        CheckAgainstReference(level, false, false, 100, 500, 784, 1f, 0f, 2, 0, 1);
        CheckAgainstReference(level, true, false, 784, 500, 100, 1f, 1f, 2, 0, 2);
        CheckAgainstReference(level, false, true, 128, 784, 400, -0.5f, 0f, 3, 1, 3);
    }

    public static TheoryData<SimdLevel> Levels()
        => new() { SimdLevel.Avx512, SimdLevel.Avx2, SimdLevel.VectorT, SimdLevel.Scalar };

    [Theory]
    [MemberData(nameof(Levels))]
    public void ResultIsBitIdenticalForOneTwoAndThreeThreads(SimdLevel level)
    {
        if (!CpuFeatures.IsSupported(level)) return;
        bool slow = level == SimdLevel.Scalar || (level == SimdLevel.Avx512 && !CpuFeatures.IsHardwareAvx512);
        (int M, int N, int K, bool Ta, bool Tb)[] shapes = slow
            ? [(61, 70, 300, false, false), (3, 500, 200, false, true), (400, 2, 200, true, false), (70, 61, 300, true, true)]
            : [(257, 300, 600, false, false), (100, 500, 784, false, false), (784, 500, 100, true, false), (128, 784, 400, false, true),
               (3, 1000, 500, false, false), (1000, 2, 300, true, true), (1, 784, 500, false, true), (700, 7, 300, false, false), (500, 8, 200, true, true), (8, 500, 200, false, false), (6, 300, 200, true, true)];
        foreach (var (m, n, k, ta, tb) in shapes)
        {
            var (a, b, _, lda, ldb, ldc) = Operands(m, n, k, ta, tb, 0, seed: m + n + k);
            float[]? first = null;
            foreach (int threads in new[] { 1, 2, 3 })
            {
                var c = new float[m * ldc];
                Array.Fill(c, 0.25f);
                CpuGemm.Multiply(ta ? Transpose.Transposed : Transpose.None, tb ? Transpose.Transposed : Transpose.None,
                    m, n, k, 0.7f, a, lda, b, ldb, 0.5f, c, ldc, threads, level);
                if (first is null) first = c;
                else Assert.True(first.AsSpan().SequenceEqual(c), $"{level} {m}x{n}x{k} ta={ta} tb={tb}: threads {threads} differ from 1 thread");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void ReadingBInPlaceGivesThePackedBits(SimdLevel level)
    {
        // A product with few rows reads op(B) = B in place; with many rows it packs B. Each row of C is the same chain of
        // fused multiply-adds either way (the k blocking depends on K alone), so the top rows of a 300-row product (packed)
        // equal the product of those rows alone (in place) bit for bit, over several k blocks, strided B and edge panels.
        if (!CpuFeatures.IsSupported(level)) return;
        bool slow = level == SimdLevel.Scalar || (level == SimdLevel.Avx512 && !CpuFeatures.IsHardwareAvx512);
        int m = slow ? 150 : 300, n = slow ? 45 : 100, k = slow ? 70 : 600, ldb = n + 5;
        var random = new System.Random(7);
        var a = Enumerable.Range(0, m * k).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var b = Enumerable.Range(0, k * ldb).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var whole = Enumerable.Repeat(0.25f, m * n).ToArray();
        CpuGemm.Multiply(Transpose.None, Transpose.None, m, n, k, 0.7f, a, k, b, ldb, 0.5f, whole, n, 1, level);
        foreach (int rows in new[] { 9, 20, 33, 128 }) // above the thin and narrow paths, which have their own arithmetic
            foreach (int threads in new[] { 1, 2 })
            {
                var top = Enumerable.Repeat(0.25f, rows * n).ToArray();
                CpuGemm.Multiply(Transpose.None, Transpose.None, rows, n, k, 0.7f, a, k, b, ldb, 0.5f, top, n, threads, level);
                Assert.True(whole.AsSpan(0, rows * n).SequenceEqual(top), $"{level}: the top {rows} rows on {threads} threads differ from the packed product's");
            }
    }

    [Fact]
    public void ConcurrentCallsShareTheWorkersSafely()
    {
        // Several callers at once: one gets the worker threads, the others run their parts inline; all must agree.
        var level = CpuFeatures.IsSupported(SimdLevel.Avx2) ? SimdLevel.Avx2 : SimdLevel.VectorT;
        (int M, int N, int K)[] shapes = [(120, 130, 140), (3, 700, 150), (400, 8, 120)];
        foreach (var (m, n, k) in shapes)
        {
            var (a, b, _, lda, ldb, ldc) = Operands(m, n, k, false, false, 0, seed: 3);
            var expected = new float[m * n];
            CpuGemm.Multiply(Transpose.None, Transpose.None, m, n, k, 1f, a, lda, b, ldb, 0f, expected, ldc, 1, level);
            var results = new float[8][];
            Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, r =>
            {
                var c = new float[m * n];
                for (int repeat = 0; repeat < 5; repeat++)
                    CpuGemm.Multiply(Transpose.None, Transpose.None, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc, 2, level);
                results[r] = c;
            });
            foreach (var c in results) Assert.True(expected.AsSpan().SequenceEqual(c), $"{m}x{n}x{k}: a concurrent call differs");
        }
    }

    [Fact]
    public void SingleThreadedCallsDoNotAllocateAfterWarmUp()
    {
        var level = CpuFeatures.Best == SimdLevel.Avx512 ? SimdLevel.Avx512 : CpuFeatures.IsSupported(SimdLevel.Avx2) ? SimdLevel.Avx2 : SimdLevel.VectorT;
        foreach (var (m, n, k) in new[] { (70, 90, 500), (2, 300, 100), (200, 7, 100) })
        {
            var (a, b, c, lda, ldb, ldc) = Operands(m, n, k, false, true, 0, seed: 5);
            void Call() => CpuGemm.Multiply(Transpose.None, Transpose.Transposed, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc, 1, level);
            Call();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 3; i++) Call();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void BetaZeroOverwritesNaNAndBetaOneAccumulates()
    {
        foreach (var level in new[] { SimdLevel.Avx2, SimdLevel.VectorT, SimdLevel.Scalar })
        {
            if (!CpuFeatures.IsSupported(level)) continue;
            foreach (var (m, n, k) in new[] { (40, 37, 300), (2, 50, 9), (50, 3, 9) })
            {
                var (a, b, _, lda, ldb, ldc) = Operands(m, n, k, false, false, 0, seed: 7);
                var c = new float[m * n];
                Array.Fill(c, float.NaN);
                CpuGemm.Multiply(Transpose.None, Transpose.None, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc, 2, level);
                Assert.All(c, v => Assert.False(float.IsNaN(v)));
                var once = (float[])c.Clone();
                CpuGemm.Multiply(Transpose.None, Transpose.None, m, n, k, 1f, a, lda, b, ldb, 1f, c, ldc, 2, level);
                for (int i = 0; i < c.Length; i++) Assert.Equal(2 * once[i], c[i], 2e-5f * (1 + Math.Abs(once[i])));
            }
        }
    }

    [Fact]
    public void ZeroDepthOrZeroAlphaScalesC()
    {
        var c = new float[] { 1, 2, float.NaN, 4 };
        CpuGemm.Multiply(Transpose.None, Transpose.None, 2, 2, 0, 1f, [], 1, [], 2, 0f, c, 2, 1, SimdLevel.Auto);
        Assert.Equal(new float[] { 0, 0, 0, 0 }, c);
        var d = new float[] { 1, 2, 3, 4 };
        CpuGemm.Multiply(Transpose.None, Transpose.None, 2, 2, 1, 0f, new float[] { float.NaN, 1 }, 1, new float[] { 1, 1 }, 2, 2f, d, 2, 1, SimdLevel.Auto);
        Assert.Equal(new float[] { 2, 4, 6, 8 }, d);
    }

    [Fact]
    public void ShortBuffersAndBadStridesAreRejected()
    {
        var a = new float[6]; var b = new float[6]; var c = new float[4];
        Assert.Throws<ArgumentException>(() => CpuGemm.Multiply(Transpose.None, Transpose.None, 2, 2, 3, 1f, a, 3, b, 2, 0f, new float[3], 2, 1, SimdLevel.Auto));
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuGemm.Multiply(Transpose.None, Transpose.None, 2, 2, 3, 1f, a, 2, b, 2, 0f, c, 2, 1, SimdLevel.Auto));
        Assert.Throws<ArgumentException>(() => CpuGemm.Multiply(Transpose.Transposed, Transpose.None, 2, 2, 4, 1f, a, 2, b, 2, 0f, c, 2, 1, SimdLevel.Auto));
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuGemm.Multiply(Transpose.None, Transpose.None, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2, 0, SimdLevel.Auto));
    }

    public static TheoryData<Activation> AllActivations()
        => new() { Activation.None, Activation.Sigmoid, Activation.Softplus, Activation.Relu, Activation.Tanh };

    [Theory]
    [MemberData(nameof(AllActivations))]
    public void FusedBiasEpilogueMatchesReference(Activation activation)
    {
        foreach (var (m, n, k, ta, tb) in new[] { (37, 45, 300, false, false), (128, 100, 70, false, true), (3, 70, 40, true, false), (90, 2, 33, true, true) })
        {
            var (a, b, _, lda, ldb, _) = Operands(m, n, k, ta, tb, 0, seed: 11);
            var bias = new float[n];
            for (int j = 0; j < n; j++) bias[j] = (j % 7 - 3) * 0.5f;
            var expected = new float[m * n];
            ReferenceGemm.Multiply(ta ? Transpose.Transposed : Transpose.None, tb ? Transpose.Transposed : Transpose.None, m, n, k, 1f, a, lda, b, ldb, 0f, expected, n);
            var c = new float[m * n];
            Array.Fill(c, float.NaN);
            new CpuBackend(2).GemmBias(ta ? Transpose.Transposed : Transpose.None, tb ? Transpose.Transposed : Transpose.None, m, n, k, a, lda, b, ldb, bias, activation, c, n);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double z = expected[i * n + j] + (double)bias[j];
                    double want = activation switch
                    {
                        Activation.Sigmoid => 1 / (1 + Math.Exp(-z)),
                        Activation.Softplus => Activations.Softplus(z),
                        Activation.Relu => Math.Max(z, 0),
                        Activation.Tanh => Math.Tanh(z),
                        _ => z,
                    };
                    Assert.True(Math.Abs(c[i * n + j] - want) <= 1e-4 * (1 + Math.Abs(want)), $"{activation} {m}x{n}x{k} [{i},{j}]: {c[i * n + j]} vs {want}");
                }
        }
    }

    private static void CheckAgainstReference(SimdLevel level, bool ta, bool tb, int m, int n, int k, float alpha, float beta, int threads, int pad, int seed)
    {
        var (a, b, c0, lda, ldb, ldc) = Operands(m, n, k, ta, tb, pad, seed);
        var transA = ta ? Transpose.Transposed : Transpose.None;
        var transB = tb ? Transpose.Transposed : Transpose.None;
        if (beta == 0f) Array.Fill(c0, float.NaN); // beta = 0 must ignore (not propagate) old C
        for (int i = 0; i < m; i++) for (int j = n; j < ldc; j++) c0[i * ldc + j] = -777f; // padding must stay untouched

        var expected = (float[])c0.Clone();
        ReferenceGemm.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
        // Error scale: |alpha| * sum_p |a_ip| |b_pj| + |beta| |c_ij|, from the same reference on absolute values.
        var scale = c0.Select(MathF.Abs).ToArray();
        ReferenceGemm.Multiply(transA, transB, m, n, k, Math.Abs(alpha), a.Select(MathF.Abs).ToArray(), lda, b.Select(MathF.Abs).ToArray(), ldb, Math.Abs(beta), scale, ldc);

        var actual = (float[])c0.Clone();
        CpuGemm.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, actual, ldc, threads, level);

        double tolerance = (k + 3) * 1.2e-7; // the standard k * eps bound for float accumulation
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                int idx = i * ldc + j;
                if (j >= n)
                {
                    Assert.True(actual[idx] == -777f, $"{level} {m}x{n}x{k} ta={ta} tb={tb}: padding C[{i},{j}] was written");
                    continue;
                }
                double error = Math.Abs((double)actual[idx] - expected[idx]);
                Assert.True(error <= tolerance * scale[idx] + 1e-30,
                    $"{level} {m}x{n}x{k} ta={ta} tb={tb} alpha={alpha} beta={beta} threads={threads} pad={pad}: C[{i},{j}] = {actual[idx]}, expected {expected[idx]} (scale {scale[idx]})");
            }
        }
    }

    private static (float[] A, float[] B, float[] C, int Lda, int Ldb, int Ldc) Operands(int m, int n, int k, bool ta, bool tb, int pad, int seed)
    {
        var random = new System.Random(seed);
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        var a = Fill(new float[(ta ? k : m) * lda], random);
        var b = Fill(new float[(tb ? n : k) * ldb], random);
        var c = Fill(new float[m * ldc], random);
        return (a, b, c, lda, ldb, ldc);
    }

    private static float[] Fill(float[] values, System.Random random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}

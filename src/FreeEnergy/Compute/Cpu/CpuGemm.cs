using System.Runtime.Intrinsics.X86;

namespace FreeEnergy.Compute.Cpu;

/// <summary>
/// CPU SGEMM on System.Runtime.Intrinsics. Paths, chosen from the shape and SIMD level alone:
/// <list type="bullet">
/// <item>thin (C with at most 4 rows or columns): unpacked axpy / dot loops, no packing;</item>
/// <item>narrow (AVX2/AVX-512 with at most 8 rows or columns): a 12x8 FMA kernel streaming the wide operand in place;</item>
/// <item>otherwise packed: BLIS-style blocking (KC x NR B micro-panels in L1, MC x KC A blocks in L2, KC x NC B blocks
/// in L3) around a register-blocked micro-kernel: AVX-512 8x32, AVX2+FMA 6x16, Vector&lt;T&gt; 4x2W, scalar 4x4; when C's
/// rows fit in one A block, a B that is not transposed is read in place instead of packed.</item>
/// </list>
/// Threads (the count given) split C into disjoint tile-aligned ranges on dedicated workers; packing buffers are
/// pooled per thread, so single-threaded calls do not allocate after warm-up.
/// </summary>
/// <remarks>
/// Determinism: for a given SIMD level, the result does not depend on the thread count. The path and the k blocking
/// are chosen from the shape alone, threads only split C into disjoint tile-aligned ranges, and so each C element is
/// computed with the same sequence of fused multiply-adds in the same k order whatever the split. Different SIMD
/// levels may differ in the last bits.
/// </remarks>
public static class CpuGemm
{
    /// <summary>C = alpha * op(A) * op(B) + beta * C; see <see cref="IComputeBackend.Gemm"/>.</summary>
    /// <param name="transposeA">Whether op(A) = A^T (A stored k x m) or A (stored m x k).</param>
    /// <param name="transposeB">Whether op(B) = B^T (B stored n x k) or B (stored k x n).</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Inner dimension.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A, row-major with row stride <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A (at least its stored column count).</param>
    /// <param name="b">B, row-major with row stride <paramref name="ldb"/>.</param>
    /// <param name="ldb">Row stride of B.</param>
    /// <param name="beta">Scale of the old C; zero overwrites C (old values, even NaN, are ignored).</param>
    /// <param name="c">C, row-major with row stride <paramref name="ldc"/>.</param>
    /// <param name="ldc">Row stride of C (at least n).</param>
    /// <param name="threads">Worker threads (at least 1).</param>
    /// <param name="simd">SIMD level; <see cref="SimdLevel.Auto"/> picks the widest supported.</param>
    public static void Multiply(Transpose transposeA, Transpose transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, int threads, SimdLevel simd)
        => Run(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, default, Activation.None, false, threads, simd);

    /// <summary>
    /// Fused C = act(op(A) * op(B) + bias) with the bias added to every row (bias.Length == n); the bias and
    /// activation are applied to each block of C right after its last k block, while it is still in cache.
    /// </summary>
    /// <param name="transposeA">Whether op(A) = A^T (A stored k x m).</param>
    /// <param name="transposeB">Whether op(B) = B^T (B stored n x k).</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Inner dimension.</param>
    /// <param name="a">A, row-major with row stride <paramref name="lda"/>.</param>
    /// <param name="lda">Row stride of A.</param>
    /// <param name="b">B, row-major with row stride <paramref name="ldb"/>.</param>
    /// <param name="ldb">Row stride of B.</param>
    /// <param name="bias">Per-column bias of length n; empty for none.</param>
    /// <param name="activation">The activation applied after the bias.</param>
    /// <param name="c">C (overwritten), row-major with row stride <paramref name="ldc"/>.</param>
    /// <param name="ldc">Row stride of C.</param>
    /// <param name="threads">Worker threads (at least 1).</param>
    /// <param name="simd">SIMD level.</param>
    public static void MultiplyBias(Transpose transposeA, Transpose transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> bias, Activation activation,
        Span<float> c, int ldc, int threads, SimdLevel simd)
    {
        if (!bias.IsEmpty && bias.Length != n) throw new ArgumentException($"Bias has length {bias.Length}, expected n = {n}.", nameof(bias));
        if (!Enum.IsDefined(activation)) throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        Run(transposeA, transposeB, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc, bias, activation, true, threads, simd);
    }

    private static unsafe void Run(Transpose transposeA, Transpose transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, ReadOnlySpan<float> bias, Activation activation, bool epilogue, int threads, SimdLevel simd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        bool ta = transposeA == Transpose.Transposed, tb = transposeB == Transpose.Transposed;
        Check(nameof(a), a.Length, ta ? k : m, ta ? m : k, lda, nameof(lda));
        Check(nameof(b), b.Length, tb ? n : k, tb ? k : n, ldb, nameof(ldb));
        Check(nameof(c), c.Length, m, n, ldc, nameof(ldc));
        if (m == 0 || n == 0) return;
        var level = CpuFeatures.Resolve(simd);

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        fixed (float* pbias = bias)
        {
            var problem = new GemmProblem
            {
                TransposeA = ta, TransposeB = tb, M = m, N = n, K = k, Alpha = alpha, Beta = beta,
                A = pa, Lda = lda, B = pb, Ldb = ldb, C = pc, Ldc = ldc,
                Bias = bias.IsEmpty ? null : pbias, Activation = activation, HasEpilogue = epilogue,
            };
            if (k == 0 || alpha == 0f)
            {
                ScaleOnly(problem);
                return;
            }
            if (Math.Min(m, n) <= DirectGemm.ThinLimit)
            {
                DirectGemm.Run(problem, level, threads);
                return;
            }
            switch (level)
            {
                case SimdLevel.Avx512: PackedGemm<Avx512Kernel>.Run(problem, threads); break;
                case SimdLevel.Avx2 or SimdLevel.Avx512 when Math.Min(m, n) <= NarrowGemm.Width && Fma.IsSupported: NarrowGemm.Run(problem, threads); break;
                case SimdLevel.Avx2: PackedGemm<Avx2Kernel>.Run(problem, threads); break;
                case SimdLevel.VectorT: PackedGemm<VectorTKernel>.Run(problem, threads); break;
                default: PackedGemm<ScalarKernel>.Run(problem, threads); break;
            }
        }
    }

    /// <summary>C = beta * C (zero when beta is zero), then the epilogue: the product term vanishes.</summary>
    private static unsafe void ScaleOnly(in GemmProblem p)
    {
        for (int i = 0; i < p.M; i++)
        {
            var row = new Span<float>(p.C + i * p.Ldc, p.N);
            if (p.Beta == 0f) row.Clear();
            else if (p.Beta != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(row, p.Beta, row);
            p.Epilogue(i, 0, p.N);
        }
    }

    private static void Check(string name, int length, int rows, int columns, int stride, string strideName)
    {
        if (stride < Math.Max(1, columns))
            throw new ArgumentOutOfRangeException(strideName, stride, $"{strideName} must be at least {Math.Max(1, columns)} (the stored row length of {name}).");
        if (rows == 0 || columns == 0) return;
        long needed = (long)(rows - 1) * stride + columns;
        if (length < needed)
            throw new ArgumentException($"{name} has {length} elements but a {rows} x {columns} operand with row stride {stride} needs {needed}.", name);
    }
}

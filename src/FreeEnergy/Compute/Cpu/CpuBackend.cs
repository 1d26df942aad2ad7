namespace FreeEnergy.Compute.Cpu;

/// <summary>
/// The CPU backend: SIMD SGEMM and a deterministic range-parallel loop. Thread-safe: one instance (e.g.
/// <see cref="Default"/>) may serve any number of threads and models at once; results do not depend on how many
/// callers share it.
/// </summary>
public sealed class CpuBackend : IComputeBackend
{
    /// <summary>Creates a CPU backend.</summary>
    /// <param name="threads">Worker threads; 0 (default) means <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="simd">The SIMD level; <see cref="SimdLevel.Auto"/> (default) picks the widest available.</param>
    public CpuBackend(int threads = 0, SimdLevel simd = SimdLevel.Auto)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        Simd = CpuFeatures.Resolve(simd);
    }

    /// <summary>A shared instance using all cores and the widest SIMD level.</summary>
    public static CpuBackend Default { get; } = new();

    /// <inheritdoc />
    public string Name => $"cpu ({Simd.ToString().ToLowerInvariant()}, {Threads} thread{(Threads == 1 ? "" : "s")})";

    /// <inheritdoc />
    public int Threads { get; }

    /// <summary>The SIMD level in use.</summary>
    public SimdLevel Simd { get; }

    /// <inheritdoc />
    public void Gemm(Transpose transposeA, Transpose transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
        => CpuGemm.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, Threads, Simd);

    /// <summary>
    /// Fused C = act(op(A) * op(B) + bias) (bias added to every row, length n; empty for none), applied per block
    /// of C while it is hot in cache; see <see cref="CpuGemm.MultiplyBias"/>.
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
    /// <param name="bias">Per-column bias (length n) or empty.</param>
    /// <param name="activation">Activation applied after the bias.</param>
    /// <param name="c">C (overwritten), row stride <paramref name="ldc"/>.</param>
    /// <param name="ldc">Row stride of C.</param>
    public void GemmBias(Transpose transposeA, Transpose transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> bias, Activation activation,
        Span<float> c, int ldc)
        => CpuGemm.MultiplyBias(transposeA, transposeB, m, n, k, a, lda, b, ldb, bias, activation, c, ldc, Threads, Simd);

    /// <inheritdoc />
    public void For(int count, int grain, Action<int, int> body) => RangeParallel.For(count, grain, Threads, body);
}

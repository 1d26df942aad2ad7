namespace FreeEnergy.Compute.Cpu;

/// <summary>The CPU backend: SIMD SGEMM and a deterministic range-parallel loop.</summary>
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

    /// <inheritdoc />
    public void For(int count, int grain, Action<int, int> body) => RangeParallel.For(count, grain, Threads, body);
}

namespace FreeEnergy.Compute;

/// <summary>
/// The seam between models and the hardware they run on. Models express their heavy work
/// (matrix products, activations, sampling, reductions) through this interface so that a CPU or a
/// GPU backend can serve them. All matrices are row-major; leading dimensions are row strides.
/// Thread safety: <see cref="Cpu.CpuBackend"/> is safe to share between threads; the CUDA backend only for its span
/// GEMM (see docs/threading.md).
/// </summary>
public interface IComputeBackend
{
    /// <summary>A short name for reports, e.g. "cpu (avx512, 2 threads)".</summary>
    string Name { get; }

    /// <summary>Number of worker threads this backend uses for one operation.</summary>
    int Threads { get; }

    /// <summary>
    /// C = alpha * op(A) * op(B) + beta * C, with op(A) of shape m x k, op(B) of shape k x n and C of shape m x n.
    /// When <paramref name="beta"/> is zero, C is overwritten (NaN in C does not propagate).
    /// </summary>
    void Gemm(Transpose transposeA, Transpose transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc);

    /// <summary>
    /// Runs <paramref name="body"/> over [0, <paramref name="count"/>) split into contiguous ranges
    /// (start, end) on up to <see cref="Threads"/> threads. The split depends only on <paramref name="count"/>
    /// and <paramref name="grain"/>, never on timing.
    /// </summary>
    void For(int count, int grain, Action<int, int> body);
}

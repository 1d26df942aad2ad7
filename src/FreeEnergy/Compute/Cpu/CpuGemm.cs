namespace FreeEnergy.Compute.Cpu;

/// <summary>
/// CPU SGEMM entry point. Placeholder: row-parallel, row-axpy formulation; the packed,
/// register-blocked kernel replaces the body behind the same signature.
/// </summary>
public static class CpuGemm
{
    /// <summary>C = alpha * op(A) * op(B) + beta * C; see <see cref="IComputeBackend.Gemm"/>.</summary>
    public static void Multiply(Transpose transposeA, Transpose transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, int threads, SimdLevel simd)
    {
        _ = threads; _ = simd;
        ReferenceGemm.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}

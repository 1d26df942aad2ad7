namespace FreeEnergy.Compute.Cpu;

/// <summary>The plain triple-loop SGEMM used as the test oracle (double accumulation).</summary>
public static class ReferenceGemm
{
    /// <summary>C = alpha * op(A) * op(B) + beta * C; see <see cref="IComputeBackend.Gemm"/>.</summary>
    public static void Multiply(Transpose transposeA, Transpose transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transposeA == Transpose.None ? a[i * lda + p] : a[p * lda + i];
                    float bv = transposeB == Transpose.None ? b[p * ldb + j] : b[j * ldb + p];
                    sum += (double)av * bv;
                }
                float prior = beta == 0f ? 0f : beta * c[i * ldc + j];
                c[i * ldc + j] = (float)(alpha * sum) + prior;
            }
        }
    }
}

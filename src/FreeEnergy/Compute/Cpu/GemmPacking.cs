namespace FreeEnergy.Compute.Cpu;

/// <summary>
/// Copies blocks of op(A) and op(B) into the k-major micro-panels the kernels stream through,
/// zero-padding partial panels so edge tiles run the same kernel.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs rows [i0, i0 + mc) and depth [p0, p0 + kc) of op(A) into ceil(mc / mr) panels of kc x mr.
    /// </summary>
    public static void PackA(bool transposed, float* a, nint lda, int i0, int mc, int p0, int kc, int mr, float* dst)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* panel = dst + (nint)ir * kc;
            if (!transposed)
            {
                // op(A)[i, p] = a[i * lda + p]: read each row contiguously, write with stride mr.
                for (int i = 0; i < rows; i++)
                {
                    float* src = a + (nint)(i0 + ir + i) * lda + p0;
                    float* d = panel + i;
                    for (int p = 0; p < kc; p++) d[(nint)p * mr] = src[p];
                }
            }
            else
            {
                // op(A)[i, p] = a[p * lda + i]: mr contiguous values per p.
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + (nint)(p0 + p) * lda + i0 + ir;
                    float* d = panel + (nint)p * mr;
                    for (int i = 0; i < rows; i++) d[i] = src[i];
                }
            }
            if (rows < mr)
                for (int p = 0; p < kc; p++)
                    for (int i = rows; i < mr; i++) panel[(nint)p * mr + i] = 0f;
        }
    }

    /// <summary>
    /// Packs depth [p0, p0 + kc) and columns [j0, j0 + nc) of op(B) into ceil(nc / nr) panels of kc x nr.
    /// </summary>
    public static void PackB(bool transposed, float* b, nint ldb, int p0, int kc, int j0, int nc, int nr, float* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* panel = dst + (nint)jr * kc;
            if (!transposed)
            {
                // op(B)[p, j] = b[p * ldb + j]: nr contiguous values per p.
                if (cols == nr)
                {
                    for (int p = 0; p < kc; p++)
                        new ReadOnlySpan<float>(b + (nint)(p0 + p) * ldb + j0 + jr, nr).CopyTo(new Span<float>(panel + (nint)p * nr, nr));
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = b + (nint)(p0 + p) * ldb + j0 + jr;
                        float* d = panel + (nint)p * nr;
                        int j = 0;
                        for (; j < cols; j++) d[j] = src[j];
                        for (; j < nr; j++) d[j] = 0f;
                    }
                }
            }
            else
            {
                // op(B)[p, j] = b[j * ldb + p]: read each stored row contiguously, write with stride nr.
                for (int j = 0; j < cols; j++)
                {
                    float* src = b + (nint)(j0 + jr + j) * ldb + p0;
                    float* d = panel + j;
                    for (int p = 0; p < kc; p++) d[(nint)p * nr] = src[p];
                }
                if (cols < nr)
                    for (int p = 0; p < kc; p++)
                        for (int j = cols; j < nr; j++) panel[(nint)p * nr + j] = 0f;
            }
        }
    }
}

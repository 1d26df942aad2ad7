namespace FreeEnergy.Compute.Cpu;

/// <summary>
/// AVX2 products with a narrow C (5 to 8 columns): op(B) is packed once into a k x 8 zero-padded panel and
/// 12-row blocks of op(A) are streamed in place through <see cref="Avx2NarrowKernel.RunDirect"/>, with no k blocking.
/// Threads split the rows in 12-row units; each element is one FMA chain over p in order, whatever the split.
/// </summary>
internal static unsafe class NarrowGemm
{
    private const int Rows = 12;
    private const int Width = 8;
    private const long MinWorkPerThread = 1L << 17;

    public static void Run(GemmProblem problem, int threads)
    {
        int k = problem.K;
        int units = (problem.M + Rows - 1) / Rows;
        long work = (long)problem.M * problem.N * k;
        int parts = (int)Math.Max(1, Math.Min(Math.Min(threads, units), work / MinWorkPerThread));
        // The packed B panel is shared read-only by all parts; it lives in this thread's scratch.
        float* packedB = GemmScratch.PackedB(k * Width);
        GemmPacking.PackB(problem.TransposeB, problem.B, problem.Ldb, 0, k, 0, problem.N, Width, packedB);
        nint panel = (nint)packedB;
        if (parts == 1)
        {
            RunRows(problem, (float*)panel, 0, problem.M);
            return;
        }
        var p = problem;
        GemmWorkers.Run(parts, q =>
        {
            int u0 = (int)((long)units * q / parts), u1 = (int)((long)units * (q + 1) / parts);
            RunRows(p, (float*)panel, u0 * Rows, Math.Min(p.M, u1 * Rows));
        });
    }

    private static void RunRows(in GemmProblem p, float* packedB, int i0, int i1)
    {
        int k = p.K;
        var mode = p.FirstMode;
        nint rowStride = p.TransposeA ? 1 : p.Lda, depthStride = p.TransposeA ? p.Lda : 1;
        float* tile = stackalloc float[Rows * Width];
        for (int i = i0; i < i1; i += Rows)
        {
            int rows = Math.Min(Rows, i1 - i);
            float* c = p.C + i * p.Ldc;
            if (rows == Rows && p.N == Width)
            {
                Avx2NarrowKernel.RunDirect(k, p.A + i * rowStride, rowStride, depthStride, packedB, c, p.Ldc, p.Alpha, p.Beta, mode);
            }
            else
            {
                if (rows == Rows)
                {
                    Avx2NarrowKernel.RunDirect(k, p.A + i * rowStride, rowStride, depthStride, packedB, tile, Width, 1f, 0f, StoreMode.Overwrite);
                }
                else
                {
                    // The last partial block: pack its rows zero-padded to 12 so nothing past row m is read.
                    float* packedA = GemmScratch.PackedA(Rows * k);
                    GemmPacking.PackA(p.TransposeA, p.A, p.Lda, i, rows, 0, k, Rows, packedA);
                    Avx2NarrowKernel.Run(k, packedA, packedB, tile, Width, 1f, 0f, StoreMode.Overwrite);
                }
                for (int r = 0; r < rows; r++) GemmStore.ApplyRow(tile + r * Width, c + r * p.Ldc, p.N, p.Alpha, p.Beta, mode);
            }
        }
        if (p.HasEpilogue)
            for (int i = i0; i < i1; i++) p.Epilogue(i, 0, p.N);
    }
}

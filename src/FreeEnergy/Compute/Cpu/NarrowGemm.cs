using System.Runtime.CompilerServices;

namespace FreeEnergy.Compute.Cpu;

/// <summary>
/// AVX2 products where C has 5 to 8 columns, or (solved as C^T = op(B)^T op(A)^T) 5 to 8 rows: the narrow operand is
/// packed once into a k x 8 zero-padded panel and 12-row blocks of the wide operand are streamed in place through
/// <see cref="Avx2NarrowKernel.RunDirect"/>, with no k blocking (each element of the wide operand is used at most
/// 8 times, so packing it would cost as much as the product). Threads split the wide dimension in 12-row units; each
/// element is one FMA chain over p in order, whatever the split.
/// </summary>
internal static unsafe class NarrowGemm
{
    /// <summary>The narrow side limit.</summary>
    public const int Width = 8;

    private const int Rows = 12;
    private const long MinWorkPerThread = 1L << 17;

    public static void Run(GemmProblem problem, int threads)
    {
        bool swap = problem.N > Width;
        var d = new Oriented
        {
            Rows = swap ? problem.N : problem.M,
            Columns = swap ? problem.M : problem.N,
            K = problem.K,
            LeftTransposed = swap ? !problem.TransposeB : problem.TransposeA,
            Left = swap ? problem.B : problem.A,
            LeftLd = swap ? problem.Ldb : problem.Lda,
            C = problem.C,
            RowStride = swap ? 1 : problem.Ldc,
            ColumnStride = swap ? problem.Ldc : 1,
            Alpha = problem.Alpha,
            Beta = problem.Beta,
            Mode = problem.FirstMode,
        };
        // The packed narrow operand is shared read-only by all parts; it lives in this thread's scratch.
        float* packed = GemmScratch.PackedB(d.K * Width);
        if (swap) GemmPacking.PackB(!problem.TransposeA, problem.A, problem.Lda, 0, d.K, 0, d.Columns, Width, packed);
        else GemmPacking.PackB(problem.TransposeB, problem.B, problem.Ldb, 0, d.K, 0, d.Columns, Width, packed);
        d.Packed = packed;

        int units = (d.Rows + Rows - 1) / Rows;
        long work = (long)problem.M * problem.N * problem.K;
        int parts = threads == 1 ? 1 : (int)Math.Max(1, Math.Min(Math.Min(threads * GemmWorkers.PartsPerThread, units), work / MinWorkPerThread));
        if (parts == 1) d.RunRows(0, d.Rows);
        else RunParts(d, parts, units, threads);
        if (problem.HasEpilogue)
            for (int i = 0; i < problem.M; i++) problem.Epilogue(i, 0, problem.N);
    }

    // Kept apart so the single-threaded path allocates no closure.
    private static void RunParts(Oriented d, int parts, int units, int threads)
    {
        GemmWorkers.Run(parts, threads, q =>
        {
            int u0 = (int)((long)units * q / parts), u1 = (int)((long)units * (q + 1) / parts);
            d.RunRows(u0 * Rows, Math.Min(d.Rows, u1 * Rows));
        });
    }

    private struct Oriented
    {
        public int Rows, Columns, K;
        public bool LeftTransposed;
        public float* Left, Packed, C;
        public nint LeftLd, RowStride, ColumnStride;
        public float Alpha, Beta;
        public StoreMode Mode;

        /// <summary>Output rows [i0, i1): out[i, j] = c[i * RowStride + j * ColumnStride].</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void RunRows(int i0, int i1)
        {
            nint rowStride = LeftTransposed ? 1 : LeftLd, depthStride = LeftTransposed ? LeftLd : 1;
            float* tile = stackalloc float[NarrowGemm.Rows * Width];
            for (int i = i0; i < i1; i += NarrowGemm.Rows)
            {
                int rows = Math.Min(NarrowGemm.Rows, i1 - i);
                float* c = C + i * RowStride;
                if (rows == NarrowGemm.Rows && Columns == Width && ColumnStride == 1)
                {
                    Avx2NarrowKernel.RunDirect(K, Left + i * rowStride, rowStride, depthStride, Packed, c, RowStride, Alpha, Beta, Mode);
                    continue;
                }
                if (rows == NarrowGemm.Rows)
                {
                    Avx2NarrowKernel.RunDirect(K, Left + i * rowStride, rowStride, depthStride, Packed, tile, Width, 1f, 0f, StoreMode.Overwrite);
                }
                else
                {
                    // The last partial block: pack its rows zero-padded to 12 so nothing past the end is read.
                    float* packedLeft = GemmScratch.PackedA(NarrowGemm.Rows * K);
                    GemmPacking.PackA(LeftTransposed, Left, LeftLd, i, rows, 0, K, NarrowGemm.Rows, packedLeft);
                    Avx2NarrowKernel.Run(K, packedLeft, Packed, Width, tile, Width, 1f, 0f, StoreMode.Overwrite);
                }
                for (int r = 0; r < rows; r++)
                {
                    if (ColumnStride == 1) GemmStore.ApplyRow(tile + r * Width, c + r * RowStride, Columns, Alpha, Beta, Mode);
                    else
                        for (int j = 0; j < Columns; j++)
                        {
                            float* target = c + r * RowStride + j * ColumnStride;
                            *target = GemmStore.Apply(tile[r * Width + j], *target, Alpha, Beta, Mode);
                        }
                }
            }
        }
    }
}

using System.Runtime.CompilerServices;

namespace FreeEnergy.Compute.Cpu;

/// <summary>
/// The unpacked path for thin products (few rows or few columns of C, e.g. one sample times a weight matrix):
/// row-times-matrix as axpy over rows of op(B) or as dot products with rows of B^T, with no packing.
/// A problem with few columns is solved as its transpose, C^T = op(B)^T op(A)^T, writing C with swapped strides.
/// Threads split the columns of the (possibly transposed) output; every element's arithmetic is the same
/// whatever the split.
/// </summary>
internal static unsafe class DirectGemm
{
    /// <summary>Use this path when C has at most this many rows or columns.</summary>
    public const int ThinLimit = 4;

    private const long MinWorkPerThread = 1L << 17;

    public static void Run(GemmProblem p, SimdLevel level, int threads)
    {
        // Orient so that the output has few rows: out[i, j] lives at c[i * rowStride + j * columnStride].
        bool swap = p.M > p.N;
        var d = new Oriented
        {
            Level = level,
            Rows = swap ? p.N : p.M,
            Columns = swap ? p.M : p.N,
            K = p.K,
            // Rows of the oriented left operand: op(A) rows, or (swapped) columns of op(B).
            LeftGathered = swap ? !p.TransposeB : p.TransposeA,
            Left = swap ? p.B : p.A,
            LeftStride = swap ? p.Ldb : p.Lda,
            // The oriented right operand is used as axpy rows (k x columns) or dot rows (columns x k).
            RightIsDot = swap ? !p.TransposeA : p.TransposeB,
            Right = swap ? p.A : p.B,
            RightStride = swap ? p.Lda : p.Ldb,
            C = p.C,
            RowStride = swap ? 1 : p.Ldc,
            ColumnStride = swap ? p.Ldc : 1,
            Alpha = p.Alpha,
            Beta = p.Beta,
            Mode = p.FirstMode,
        };
        long work = (long)p.M * p.N * p.K;
        int parts = threads == 1 ? 1 : (int)Math.Max(1, Math.Min(Math.Min(threads * GemmWorkers.PartsPerThread, (d.Columns + 15) / 16), work / MinWorkPerThread));
        if (parts == 1) d.Columns0(0, d.Columns);
        else RunParts(d, parts, threads);
        if (p.HasEpilogue)
            for (int i = 0; i < p.M; i++) p.Epilogue(i, 0, p.N);
    }

    // Kept apart so the single-threaded path allocates no closure.
    private static void RunParts(Oriented d, int parts, int threads)
    {
        GemmWorkers.Run(parts, threads, q =>
        {
            int units = (d.Columns + 15) / 16;
            int j0 = (int)((long)units * q / parts) * 16, j1 = Math.Min(d.Columns, (int)((long)units * (q + 1) / parts) * 16);
            d.Columns0(j0, j1);
        });
    }

    private struct Oriented
    {
        public SimdLevel Level;
        public int Rows, Columns, K;
        public bool LeftGathered, RightIsDot;
        public float* Left, Right, C;
        public nint LeftStride, RightStride, RowStride, ColumnStride;
        public float Alpha, Beta;
        public StoreMode Mode;

        /// <summary>Computes output columns [j0, j1) of every row.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Columns0(int j0, int j1)
        {
            int count = j1 - j0;
            if (count <= 0) return;
            float* gathered = LeftGathered ? GemmScratch.Row2(K) : null;
            float* acc = GemmScratch.Row(count);
            for (int i = 0; i < Rows; i++)
            {
                float* left;
                if (LeftGathered)
                {
                    for (int p = 0; p < K; p++) gathered[p] = Left[p * LeftStride + i];
                    left = gathered;
                }
                else left = Left + i * LeftStride;

                if (RightIsDot)
                {
                    for (int j = 0; j < count; j++) acc[j] = GemmVectorOps.Dot(Level, left, Right + (j0 + j) * RightStride, K);
                }
                else
                {
                    new Span<float>(acc, count).Clear();
                    for (int p = 0; p < K; p++) GemmVectorOps.Axpy(Level, left[p], Right + p * RightStride + j0, acc, count);
                }

                float* c = C + i * RowStride + j0 * ColumnStride;
                for (int j = 0; j < count; j++)
                    c[j * ColumnStride] = GemmStore.Apply(acc[j], c[j * ColumnStride], Alpha, Beta, Mode);
            }
        }
    }
}

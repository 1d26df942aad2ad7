using System.Runtime.CompilerServices;

namespace FreeEnergy.Compute.Cpu;

/// <summary>
/// The blocked SGEMM driver (BLIS loop order jc, pc, ic, jr, ir) for one micro-kernel. Threads own disjoint
/// ranges of C rows or columns aligned to the register tile, and every thread uses the same k blocking
/// (derived from K alone), so each C element sees the same sequence of operations whatever the thread count.
/// </summary>
internal static unsafe class PackedGemm<TKernel> where TKernel : IGemmKernel
{
    /// <summary>Multiply-adds below which one more thread is not worth waking.</summary>
    private const long MinWorkPerThread = 1L << 17;

    public static void Run(GemmProblem problem, int threads)
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int mUnits = (problem.M + mr - 1) / mr, nUnits = (problem.N + nr - 1) / nr;
        bool splitColumns = nUnits >= mUnits;
        int units = splitColumns ? nUnits : mUnits;
        long work = (long)problem.M * problem.N * problem.K;
        int parts = threads == 1 ? 1 : (int)Math.Max(1, Math.Min(Math.Min(threads * GemmWorkers.PartsPerThread, units), work / MinWorkPerThread));
        if (parts == 1)
        {
            RunRange(problem, 0, problem.M, 0, problem.N);
            return;
        }
        RunParts(problem, parts, threads, units, splitColumns);
    }

    // Kept apart so the single-threaded path allocates no closure.
    private static void RunParts(GemmProblem p, int parts, int threads, int units, bool splitColumns)
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        GemmWorkers.Run(parts, threads, q =>
        {
            int u0 = (int)((long)units * q / parts), u1 = (int)((long)units * (q + 1) / parts);
            if (splitColumns) RunRange(p, 0, p.M, u0 * nr, Math.Min(p.N, u1 * nr));
            else RunRange(p, u0 * mr, Math.Min(p.M, u1 * mr), 0, p.N);
        });
    }

    /// <summary>Computes C[i0..i1, j0..j1); i0 and j0 are multiples of MR and NR.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRange(in GemmProblem p, int i0, int i1, int j0, int j1)
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int k = p.K;
        // Balanced blocks: the k split depends only on K (never on the thread range).
        int kBlocks = (k + TKernel.KC - 1) / TKernel.KC;
        int kcSize = (k + kBlocks - 1) / kBlocks;
        int mRange = i1 - i0, nRange = j1 - j0;
        int mBlocks = (mRange + TKernel.MC - 1) / TKernel.MC;
        int mcSize = RoundUp((mRange + mBlocks - 1) / mBlocks, mr);
        int nBlocks = (nRange + TKernel.NC - 1) / TKernel.NC;
        int ncSize = RoundUp((nRange + nBlocks - 1) / nBlocks, nr);

        float* packedA = GemmScratch.PackedA(mcSize * kcSize);
        float* packedB = GemmScratch.PackedB(ncSize * kcSize);
        float* tile = stackalloc float[mr * nr];
        // When C's rows fit in one row block, each B micro-panel is used by that block alone: a packed copy would be read
        // once more than it was written, so op(B) = B (not transposed) is read in place (bench gemm: 20 x 200 x 784 at
        // 94 GFLOP/s packed against 115 in place with AVX-512 on one thread; 1024^3, eight row blocks, favours packing).
        bool inPlaceB = !p.TransposeB && mRange <= TKernel.MC;

        for (int jc = j0; jc < j1; jc += ncSize)
        {
            int nc = Math.Min(ncSize, j1 - jc);
            for (int pc = 0; pc < k; pc += kcSize)
            {
                int kc = Math.Min(kcSize, k - pc);
                var mode = pc == 0 ? p.FirstMode : StoreMode.Accumulate;
                bool last = pc + kc == k;
                for (int ic = i0; ic < i1; ic += mcSize)
                {
                    int mc = Math.Min(mcSize, i1 - ic);
                    GemmPacking.PackA(p.TransposeA, p.A, p.Lda, ic, mc, pc, kc, mr, packedA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int ncols = Math.Min(nr, nc - jr);
                        float* bPanel = packedB + (nint)jr * kc;
                        nint ldb = nr;
                        if (inPlaceB && ncols == nr)
                        {
                            // Same values, same k order: the kernel reads rows pc.. of op(B) = B where they are.
                            bPanel = p.B + pc * p.Ldb + jc + jr;
                            ldb = p.Ldb;
                        }
                        // B micro-panels are packed during the first row block, right before their first use,
                        // so the kernel reads them hot from L1 (later row blocks reuse them from L2/L3).
                        else if (ic == i0) GemmPacking.PackB(p.TransposeB, p.B, p.Ldb, pc, kc, jc + jr, ncols, nr, bPanel);
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int nrows = Math.Min(mr, mc - ir);
                            float* aPanel = packedA + (nint)ir * kc;
                            float* cTile = p.C + (ic + ir) * p.Ldc + jc + jr;
                            if (nrows == mr && ncols == nr)
                            {
                                TKernel.Run(kc, aPanel, bPanel, ldb, cTile, p.Ldc, p.Alpha, p.Beta, mode);
                            }
                            else
                            {
                                TKernel.Run(kc, aPanel, bPanel, ldb, tile, nr, 1f, 0f, StoreMode.Overwrite);
                                for (int i = 0; i < nrows; i++)
                                    GemmStore.ApplyRow(tile + i * nr, cTile + i * p.Ldc, ncols, p.Alpha, p.Beta, mode);
                            }
                        }
                    }
                    if (last && p.HasEpilogue)
                        for (int i = ic; i < ic + mc; i++) p.Epilogue(i, jc, nc);
                }
            }
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}

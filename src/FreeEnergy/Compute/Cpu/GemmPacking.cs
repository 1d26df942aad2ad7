using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transposed, float* a, nint lda, int i0, int mc, int p0, int kc, int mr, float* dst)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* panel = dst + (nint)ir * kc;
            // An edge panel is zeroed whole first (vector stores); its rows are then filled.
            if (rows < mr) new Span<float>(panel, kc * mr).Clear();
            if (!transposed)
            {
                // op(A)[i, p] = a[i * lda + p]: read the rows as parallel streams, write contiguously.
                float* src = a + (nint)(i0 + ir) * lda + p0;
                for (int p = 0; p < kc; p++)
                {
                    float* d = panel + (nint)p * mr;
                    for (int i = 0; i < rows; i++) d[i] = src[i * lda + p];
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
        }
    }

    /// <summary>
    /// Packs depth [p0, p0 + kc) and columns [j0, j0 + nc) of op(B) into ceil(nc / nr) panels of kc x nr.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transposed, float* b, nint ldb, int p0, int kc, int j0, int nc, int nr, float* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* panel = dst + (nint)jr * kc;
            if (!transposed)
            {
                // op(B)[p, j] = b[p * ldb + j]: nr contiguous values per p.
                if (cols == nr && nr % 8 == 0 && Vector256.IsHardwareAccelerated)
                {
                    float* src = b + (nint)p0 * ldb + j0 + jr;
                    float* d = panel;
                    for (int p = 0; p < kc; p++, src += ldb, d += nr)
                        for (int j = 0; j < nr; j += 8) Vector256.Store(Vector256.Load(src + j), d + j);
                }
                else if (cols == nr)
                {
                    for (int p = 0; p < kc; p++)
                        new ReadOnlySpan<float>(b + (nint)(p0 + p) * ldb + j0 + jr, nr).CopyTo(new Span<float>(panel + (nint)p * nr, nr));
                }
                else
                {
                    // An edge panel: zero it whole (vector stores), then copy each row's cols values.
                    new Span<float>(panel, kc * nr).Clear();
                    for (int p = 0; p < kc; p++)
                        new ReadOnlySpan<float>(b + (nint)(p0 + p) * ldb + j0 + jr, cols).CopyTo(new Span<float>(panel + (nint)p * nr, cols));
                }
            }
            else
            {
                // op(B)[p, j] = b[j * ldb + p]: transpose 8 x 8 blocks in registers, write contiguously.
                float* src = b + (nint)(j0 + jr) * ldb + p0;
                int p = 0;
                if (Avx.IsSupported && cols == nr && nr % 8 == 0)
                    for (; p + 8 <= kc; p += 8)
                        for (int j = 0; j < nr; j += 8)
                            Transpose8x8(src + j * ldb + p, ldb, panel + (nint)p * nr + j, nr);
                // An edge panel is zeroed whole first (vector stores); its cols columns are then filled.
                if (cols < nr) new Span<float>(panel, kc * nr).Clear();
                for (; p < kc; p++)
                {
                    float* d = panel + (nint)p * nr;
                    for (int j = 0; j < cols; j++) d[j] = src[j * ldb + p];
                }
            }
        }
    }

    /// <summary>dst[q * ldd + r] = src[r * ld + q] for an 8 x 8 block (AVX unpack/shuffle/permute transpose).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Transpose8x8(float* src, nint ld, float* dst, nint ldd)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + ld);
        var r2 = Avx.LoadVector256(src + 2 * ld);
        var r3 = Avx.LoadVector256(src + 3 * ld);
        var r4 = Avx.LoadVector256(src + 4 * ld);
        var r5 = Avx.LoadVector256(src + 5 * ld);
        var r6 = Avx.LoadVector256(src + 6 * ld);
        var r7 = Avx.LoadVector256(src + 7 * ld);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(s3, s7, 0x31));
    }
}

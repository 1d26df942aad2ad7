using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FreeEnergy.Compute.Cpu;

/// <summary>AVX2 + FMA 12 x 8 micro-kernel for narrow C (at most 8 columns), where 6 x 16 tiles would be half empty: 12 accumulators, 1 B load and 12 broadcasts per k step.</summary>
internal unsafe struct Avx2NarrowKernel : IGemmKernel
{
    public static int MR => 12;
    public static int NR => 8;
    public static int KC => 384;
    public static int MC => 144;
    public static int NC => 4080;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta, StoreMode mode)
    {
        Vector256<float> c0_0 = default, c1_0 = default, c2_0 = default, c3_0 = default, c4_0 = default, c5_0 = default, c6_0 = default, c7_0 = default, c8_0 = default, c9_0 = default, c10_0 = default, c11_0 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b + 0);
            c0_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 0), b0, c0_0);
            c1_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 1), b0, c1_0);
            c2_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 2), b0, c2_0);
            c3_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 3), b0, c3_0);
            c4_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 4), b0, c4_0);
            c5_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 5), b0, c5_0);
            c6_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 6), b0, c6_0);
            c7_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 7), b0, c7_0);
            c8_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 8), b0, c8_0);
            c9_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 9), b0, c9_0);
            c10_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 10), b0, c10_0);
            c11_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a + 11), b0, c11_0);
            a += 12;
            b += ldb;
        }
        var va = Vector256.Create(alpha);
        var vb = Vector256.Create(beta);
        Put(c0_0, c + 0 * ldc + 0, va, vb, mode);
        Put(c1_0, c + 1 * ldc + 0, va, vb, mode);
        Put(c2_0, c + 2 * ldc + 0, va, vb, mode);
        Put(c3_0, c + 3 * ldc + 0, va, vb, mode);
        Put(c4_0, c + 4 * ldc + 0, va, vb, mode);
        Put(c5_0, c + 5 * ldc + 0, va, vb, mode);
        Put(c6_0, c + 6 * ldc + 0, va, vb, mode);
        Put(c7_0, c + 7 * ldc + 0, va, vb, mode);
        Put(c8_0, c + 8 * ldc + 0, va, vb, mode);
        Put(c9_0, c + 9 * ldc + 0, va, vb, mode);
        Put(c10_0, c + 10 * ldc + 0, va, vb, mode);
        Put(c11_0, c + 11 * ldc + 0, va, vb, mode);
    }

    /// <summary>
    /// The same tile with A read in place: element (i, p) of the 12-row block at a[i * rowStride + p * depthStride]
    /// (narrow products use each A element only once per 8 columns, so packing A would cost as much as the product).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunDirect(int kc, float* a, nint rowStride, nint depthStride, float* b, float* c, nint ldc, float alpha, float beta, StoreMode mode)
    {
        Vector256<float> c0_0 = default, c1_0 = default, c2_0 = default, c3_0 = default, c4_0 = default, c5_0 = default, c6_0 = default, c7_0 = default, c8_0 = default, c9_0 = default, c10_0 = default, c11_0 = default;
        float* a0 = a + 0 * rowStride;
        float* a1 = a + 1 * rowStride;
        float* a2 = a + 2 * rowStride;
        float* a3 = a + 3 * rowStride;
        float* a4 = a + 4 * rowStride;
        float* a5 = a + 5 * rowStride;
        float* a6 = a + 6 * rowStride;
        float* a7 = a + 7 * rowStride;
        float* a8 = a + 8 * rowStride;
        float* a9 = a + 9 * rowStride;
        float* a10 = a + 10 * rowStride;
        float* a11 = a + 11 * rowStride;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            c0_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a0), b0, c0_0);
            c1_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a1), b0, c1_0);
            c2_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a2), b0, c2_0);
            c3_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a3), b0, c3_0);
            c4_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a4), b0, c4_0);
            c5_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a5), b0, c5_0);
            c6_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a6), b0, c6_0);
            c7_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a7), b0, c7_0);
            c8_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a8), b0, c8_0);
            c9_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a9), b0, c9_0);
            c10_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a10), b0, c10_0);
            c11_0 = Fma.MultiplyAdd(Avx.BroadcastScalarToVector256(a11), b0, c11_0);
            a0 += depthStride;
            a1 += depthStride;
            a2 += depthStride;
            a3 += depthStride;
            a4 += depthStride;
            a5 += depthStride;
            a6 += depthStride;
            a7 += depthStride;
            a8 += depthStride;
            a9 += depthStride;
            a10 += depthStride;
            a11 += depthStride;
            b += 8;
        }
        var va = Vector256.Create(alpha);
        var vb = Vector256.Create(beta);
        Put(c0_0, c + 0 * ldc, va, vb, mode);
        Put(c1_0, c + 1 * ldc, va, vb, mode);
        Put(c2_0, c + 2 * ldc, va, vb, mode);
        Put(c3_0, c + 3 * ldc, va, vb, mode);
        Put(c4_0, c + 4 * ldc, va, vb, mode);
        Put(c5_0, c + 5 * ldc, va, vb, mode);
        Put(c6_0, c + 6 * ldc, va, vb, mode);
        Put(c7_0, c + 7 * ldc, va, vb, mode);
        Put(c8_0, c + 8 * ldc, va, vb, mode);
        Put(c9_0, c + 9 * ldc, va, vb, mode);
        Put(c10_0, c + 10 * ldc, va, vb, mode);
        Put(c11_0, c + 11 * ldc, va, vb, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector256<float> acc, float* p, Vector256<float> alpha, Vector256<float> beta, StoreMode mode)
    {
        if (mode == StoreMode.Overwrite) Vector256.Store(acc * alpha, p);
        else if (mode == StoreMode.Blend) Vector256.Store(Fma.MultiplyAdd(acc, alpha, beta * Vector256.Load(p)), p);
        else Vector256.Store(Fma.MultiplyAdd(acc, alpha, Vector256.Load(p)), p);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FreeEnergy.Compute.Cpu;

/// <summary>AVX2 + FMA 6 x 16 micro-kernel: 12 ymm accumulators, 2 B loads and 6 broadcasts per k step.</summary>
internal unsafe struct Avx2Kernel : IGemmKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int KC => 384;
    public static int MC => 144;
    public static int NC => 4080;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta, StoreMode mode)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        if (mode != StoreMode.Overwrite)
        {
            // Bring the C tile in while the k loop runs (it is read-modified-written at the end).
            for (int i = 0; i < 6; i++)
            {
                Sse.Prefetch0(c + i * ldc);
                Sse.Prefetch0(c + i * ldc + 15);
            }
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b + 0);
            var b1 = Vector256.Load(b + 8);
            var a0 = Avx.BroadcastScalarToVector256(a + 0);
            c00 = Fma.MultiplyAdd(a0, b0, c00);
            c01 = Fma.MultiplyAdd(a0, b1, c01);
            var a1 = Avx.BroadcastScalarToVector256(a + 1);
            c10 = Fma.MultiplyAdd(a1, b0, c10);
            c11 = Fma.MultiplyAdd(a1, b1, c11);
            var a2 = Avx.BroadcastScalarToVector256(a + 2);
            c20 = Fma.MultiplyAdd(a2, b0, c20);
            c21 = Fma.MultiplyAdd(a2, b1, c21);
            var a3 = Avx.BroadcastScalarToVector256(a + 3);
            c30 = Fma.MultiplyAdd(a3, b0, c30);
            c31 = Fma.MultiplyAdd(a3, b1, c31);
            var a4 = Avx.BroadcastScalarToVector256(a + 4);
            c40 = Fma.MultiplyAdd(a4, b0, c40);
            c41 = Fma.MultiplyAdd(a4, b1, c41);
            var a5 = Avx.BroadcastScalarToVector256(a + 5);
            c50 = Fma.MultiplyAdd(a5, b0, c50);
            c51 = Fma.MultiplyAdd(a5, b1, c51);
            a += 6;
            b += ldb;
        }
        var va = Vector256.Create(alpha);
        var vb = Vector256.Create(beta);
        Put(c00, c + 0 * ldc + 0, va, vb, mode);
        Put(c01, c + 0 * ldc + 8, va, vb, mode);
        Put(c10, c + 1 * ldc + 0, va, vb, mode);
        Put(c11, c + 1 * ldc + 8, va, vb, mode);
        Put(c20, c + 2 * ldc + 0, va, vb, mode);
        Put(c21, c + 2 * ldc + 8, va, vb, mode);
        Put(c30, c + 3 * ldc + 0, va, vb, mode);
        Put(c31, c + 3 * ldc + 8, va, vb, mode);
        Put(c40, c + 4 * ldc + 0, va, vb, mode);
        Put(c41, c + 4 * ldc + 8, va, vb, mode);
        Put(c50, c + 5 * ldc + 0, va, vb, mode);
        Put(c51, c + 5 * ldc + 8, va, vb, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector256<float> acc, float* p, Vector256<float> alpha, Vector256<float> beta, StoreMode mode)
    {
        if (mode == StoreMode.Overwrite) Vector256.Store(acc * alpha, p);
        else if (mode == StoreMode.Blend) Vector256.Store(Fma.MultiplyAdd(acc, alpha, beta * Vector256.Load(p)), p);
        else Vector256.Store(Fma.MultiplyAdd(acc, alpha, Vector256.Load(p)), p);
    }
}


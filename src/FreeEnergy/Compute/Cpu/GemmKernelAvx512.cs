using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FreeEnergy.Compute.Cpu;

/// <summary>AVX-512 8 x 32 micro-kernel: 16 zmm accumulators, 2 B loads and 8 broadcasts per k step. On .NET 9+ it uses the cross-platform Vector512 API (software-emulated where the CPU lacks AVX-512, used by tests only).</summary>
internal unsafe struct Avx512Kernel : IGemmKernel
{
    public static int MR => 8;
    public static int NR => 32;
    public static int KC => 256;
    public static int MC => 128;
    public static int NC => 4064;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta, StoreMode mode)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b + 0);
            var b1 = Vector512.Load(b + 16);
            var a0 = Broadcast(a + 0);
            c00 = Fma512(a0, b0, c00);
            c01 = Fma512(a0, b1, c01);
            var a1 = Broadcast(a + 1);
            c10 = Fma512(a1, b0, c10);
            c11 = Fma512(a1, b1, c11);
            var a2 = Broadcast(a + 2);
            c20 = Fma512(a2, b0, c20);
            c21 = Fma512(a2, b1, c21);
            var a3 = Broadcast(a + 3);
            c30 = Fma512(a3, b0, c30);
            c31 = Fma512(a3, b1, c31);
            var a4 = Broadcast(a + 4);
            c40 = Fma512(a4, b0, c40);
            c41 = Fma512(a4, b1, c41);
            var a5 = Broadcast(a + 5);
            c50 = Fma512(a5, b0, c50);
            c51 = Fma512(a5, b1, c51);
            var a6 = Broadcast(a + 6);
            c60 = Fma512(a6, b0, c60);
            c61 = Fma512(a6, b1, c61);
            var a7 = Broadcast(a + 7);
            c70 = Fma512(a7, b0, c70);
            c71 = Fma512(a7, b1, c71);
            a += 8;
            b += ldb;
        }
        var va = Vector512.Create(alpha);
        var vb = Vector512.Create(beta);
        Put(c00, c + 0 * ldc + 0, va, vb, mode);
        Put(c01, c + 0 * ldc + 16, va, vb, mode);
        Put(c10, c + 1 * ldc + 0, va, vb, mode);
        Put(c11, c + 1 * ldc + 16, va, vb, mode);
        Put(c20, c + 2 * ldc + 0, va, vb, mode);
        Put(c21, c + 2 * ldc + 16, va, vb, mode);
        Put(c30, c + 3 * ldc + 0, va, vb, mode);
        Put(c31, c + 3 * ldc + 16, va, vb, mode);
        Put(c40, c + 4 * ldc + 0, va, vb, mode);
        Put(c41, c + 4 * ldc + 16, va, vb, mode);
        Put(c50, c + 5 * ldc + 0, va, vb, mode);
        Put(c51, c + 5 * ldc + 16, va, vb, mode);
        Put(c60, c + 6 * ldc + 0, va, vb, mode);
        Put(c61, c + 6 * ldc + 16, va, vb, mode);
        Put(c70, c + 7 * ldc + 0, va, vb, mode);
        Put(c71, c + 7 * ldc + 16, va, vb, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Broadcast(float* p) => Vector512.Create(*p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fma512(Vector512<float> x, Vector512<float> y, Vector512<float> z)
#if NET9_0_OR_GREATER
        => Vector512.FusedMultiplyAdd(x, y, z);
#else
        => Avx512F.FusedMultiplyAdd(x, y, z);
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector512<float> acc, float* p, Vector512<float> alpha, Vector512<float> beta, StoreMode mode)
    {
        if (mode == StoreMode.Overwrite) Vector512.Store(acc * alpha, p);
        else if (mode == StoreMode.Blend) Vector512.Store(Fma512(acc, alpha, beta * Vector512.Load(p)), p);
        else Vector512.Store(Fma512(acc, alpha, Vector512.Load(p)), p);
    }
}


using System.Numerics;
using System.Runtime.CompilerServices;

namespace FreeEnergy.Compute.Cpu;

/// <summary>Portable <see cref="Vector{T}"/> 4 x (2 W) micro-kernel (W = Vector&lt;float&gt;.Count).</summary>
internal unsafe struct VectorTKernel : IGemmKernel
{
    public static int MR => 4;
    public static int NR => 2 * Vector<float>.Count;
    public static int KC => 256;
    public static int MC => 128;
    public static int NC => 4096;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta, StoreMode mode)
    {
        int w = Vector<float>.Count;
        Vector<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector.Load(b);
            var b1 = Vector.Load(b + w);
            var a0 = new Vector<float>(a[0]);
            c00 = Fma(a0, b0, c00); c01 = Fma(a0, b1, c01);
            var a1 = new Vector<float>(a[1]);
            c10 = Fma(a1, b0, c10); c11 = Fma(a1, b1, c11);
            var a2 = new Vector<float>(a[2]);
            c20 = Fma(a2, b0, c20); c21 = Fma(a2, b1, c21);
            var a3 = new Vector<float>(a[3]);
            c30 = Fma(a3, b0, c30); c31 = Fma(a3, b1, c31);
            a += 4;
            b += ldb;
        }
        var va = new Vector<float>(alpha);
        var vb = new Vector<float>(beta);
        Put(c00, c, va, vb, mode); Put(c01, c + w, va, vb, mode);
        Put(c10, c + ldc, va, vb, mode); Put(c11, c + ldc + w, va, vb, mode);
        Put(c20, c + 2 * ldc, va, vb, mode); Put(c21, c + 2 * ldc + w, va, vb, mode);
        Put(c30, c + 3 * ldc, va, vb, mode); Put(c31, c + 3 * ldc + w, va, vb, mode);
    }

    /// <summary>x * y + z, fused where the runtime offers it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<float> Fma(Vector<float> x, Vector<float> y, Vector<float> z)
#if NET9_0_OR_GREATER
        => Vector.FusedMultiplyAdd(x, y, z);
#else
        => x * y + z;
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector<float> acc, float* p, Vector<float> alpha, Vector<float> beta, StoreMode mode)
    {
#if NET9_0_OR_GREATER
        if (mode == StoreMode.Overwrite) Vector.Store(acc * alpha, p);
        else if (mode == StoreMode.Blend) Vector.Store(Fma(acc, alpha, beta * Vector.Load(p)), p);
        else Vector.Store(Fma(acc, alpha, Vector.Load(p)), p);
#else
        // Without a vector FMA, store element by element so the result matches the scalar edge-tile store.
        for (int i = 0; i < Vector<float>.Count; i++) p[i] = GemmStore.Apply(acc[i], p[i], alpha[i], beta[i], mode);
#endif
    }
}

/// <summary>Plain scalar 4 x 4 micro-kernel (the reference level; also the portable fallback).</summary>
internal unsafe struct ScalarKernel : IGemmKernel
{
    public static int MR => 4;
    public static int NR => 4;
    public static int KC => 256;
    public static int MC => 128;
    public static int NC => 2048;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta, StoreMode mode)
    {
        float* acc = stackalloc float[16];
        for (int i = 0; i < 16; i++) acc[i] = 0f;
        for (int p = 0; p < kc; p++)
        {
            for (int i = 0; i < 4; i++)
            {
                float av = a[i];
                float* row = acc + 4 * i;
                row[0] = MathF.FusedMultiplyAdd(av, b[0], row[0]);
                row[1] = MathF.FusedMultiplyAdd(av, b[1], row[1]);
                row[2] = MathF.FusedMultiplyAdd(av, b[2], row[2]);
                row[3] = MathF.FusedMultiplyAdd(av, b[3], row[3]);
            }
            a += 4;
            b += ldb;
        }
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                c[i * ldc + j] = GemmStore.Apply(acc[4 * i + j], c[i * ldc + j], alpha, beta, mode);
    }
}

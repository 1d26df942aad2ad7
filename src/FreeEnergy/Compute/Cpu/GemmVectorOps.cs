using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FreeEnergy.Compute.Cpu;

/// <summary>
/// The axpy and dot loops of the unpacked small-shape GEMM path, one per SIMD level. Axpy is elementwise
/// (each y[j] gets one single-rounded FMA per call in every level that has one), so splitting y across threads
/// never changes a result; dot reduces in a fixed lane order that depends only on the length.
/// </summary>
internal static unsafe class GemmVectorOps
{
    /// <summary>y[0..n) += a * x[0..n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Axpy(SimdLevel level, float a, float* x, float* y, int n)
    {
        int j = 0;
        switch (level)
        {
            case SimdLevel.Avx512:
            {
                var va = Vector512.Create(a);
                for (; j + 16 <= n; j += 16) Vector512.Store(Fma512(va, Vector512.Load(x + j), Vector512.Load(y + j)), y + j);
                break;
            }
            case SimdLevel.Avx2:
            {
                var va = Vector256.Create(a);
                for (; j + 16 <= n; j += 16)
                {
                    Vector256.Store(Fma.MultiplyAdd(va, Vector256.Load(x + j), Vector256.Load(y + j)), y + j);
                    Vector256.Store(Fma.MultiplyAdd(va, Vector256.Load(x + j + 8), Vector256.Load(y + j + 8)), y + j + 8);
                }
                for (; j + 8 <= n; j += 8) Vector256.Store(Fma.MultiplyAdd(va, Vector256.Load(x + j), Vector256.Load(y + j)), y + j);
                break;
            }
            case SimdLevel.VectorT:
            {
                var va = new Vector<float>(a);
                int w = Vector<float>.Count;
                for (; j + w <= n; j += w) Vector.Store(VectorTKernel.Fma(va, Vector.Load(x + j), Vector.Load(y + j)), y + j);
                for (; j < n; j++) y[j] = VectorTScalarFma(a, x[j], y[j]);
                return;
            }
        }
        for (; j < n; j++) y[j] = MathF.FusedMultiplyAdd(a, x[j], y[j]);
    }

    /// <summary>Sum over p of x[p] * y[p] in a fixed order for the level.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(SimdLevel level, float* x, float* y, int n)
    {
        int p = 0;
        float sum = 0f;
        switch (level)
        {
            case SimdLevel.Avx512:
            {
                var s0 = Vector512<float>.Zero;
                for (; p + 16 <= n; p += 16) s0 = Fma512(Vector512.Load(x + p), Vector512.Load(y + p), s0);
                sum = Vector512.Sum(s0);
                break;
            }
            case SimdLevel.Avx2:
            {
                Vector256<float> s0 = Vector256<float>.Zero, s1 = Vector256<float>.Zero;
                for (; p + 16 <= n; p += 16)
                {
                    s0 = Fma.MultiplyAdd(Vector256.Load(x + p), Vector256.Load(y + p), s0);
                    s1 = Fma.MultiplyAdd(Vector256.Load(x + p + 8), Vector256.Load(y + p + 8), s1);
                }
                for (; p + 8 <= n; p += 8) s0 = Fma.MultiplyAdd(Vector256.Load(x + p), Vector256.Load(y + p), s0);
                sum = Vector256.Sum(s0 + s1);
                break;
            }
            case SimdLevel.VectorT:
            {
                var s0 = Vector<float>.Zero;
                int w = Vector<float>.Count;
                for (; p + w <= n; p += w) s0 = VectorTKernel.Fma(Vector.Load(x + p), Vector.Load(y + p), s0);
                sum = Vector.Sum(s0);
                for (; p < n; p++) sum = VectorTScalarFma(x[p], y[p], sum);
                return sum;
            }
        }
        for (; p < n; p++) sum = MathF.FusedMultiplyAdd(x[p], y[p], sum);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float VectorTScalarFma(float a, float b, float c)
#if NET9_0_OR_GREATER
        => MathF.FusedMultiplyAdd(a, b, c);
#else
        => a * b + c;
#endif

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fma512(Vector512<float> x, Vector512<float> y, Vector512<float> z)
#if NET9_0_OR_GREATER
        => Vector512.FusedMultiplyAdd(x, y, z);
#else
        => Avx512F.FusedMultiplyAdd(x, y, z);
#endif
}

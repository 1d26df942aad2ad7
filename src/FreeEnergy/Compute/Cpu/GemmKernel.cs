using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FreeEnergy.Compute.Cpu;

/// <summary>How a micro-kernel writes its MR x NR accumulator tile into C.</summary>
internal enum StoreMode
{
    /// <summary>C = alpha * acc (first k block, beta == 0: old C, even NaN, is ignored).</summary>
    Overwrite = 0,

    /// <summary>C = fma(acc, alpha, beta * C) (first k block, beta != 0).</summary>
    Blend = 1,

    /// <summary>C = fma(acc, alpha, C) (every later k block).</summary>
    Accumulate = 2,
}

/// <summary>
/// A register-blocked micro-kernel: acc (MR x NR) = sum over p of packedA[p, 0..MR) outer packedB[p, 0..NR),
/// accumulated with one fused multiply-add per element per p in increasing p, then stored by <see cref="StoreMode"/>.
/// Also carries the cache-blocking sizes tuned for it.
/// </summary>
internal unsafe interface IGemmKernel
{
    /// <summary>Rows of the register tile.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the register tile.</summary>
    static abstract int NR { get; }

    /// <summary>Depth of one packed block (B micro-panel KC x NR should sit in L1).</summary>
    static abstract int KC { get; }

    /// <summary>Rows of one packed A block (MC x KC should sit in L2); a multiple of MR.</summary>
    static abstract int MC { get; }

    /// <summary>Columns of one packed B block (KC x NC in L3); a multiple of NR.</summary>
    static abstract int NC { get; }

    /// <summary>
    /// Runs the tile: a is kc x MR (k-major), b is kc rows of NR values ldb apart (NR for a packed panel; the row stride
    /// of B when the kernel reads op(B) in place), c has row stride ldc.
    /// </summary>
    static abstract void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta, StoreMode mode);
}

/// <summary>The scalar form of the tile store; bit-identical to the vector stores (single-rounded FMA).</summary>
internal static unsafe class GemmStore
{
    /// <summary>
    /// c[j] = Apply(acc[j], c[j]) for j &lt; count; 8 lanes at a time with hardware FMA where available
    /// (a single-rounded FMA gives the same bits as <see cref="MathF.FusedMultiplyAdd"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ApplyRow(float* acc, float* c, int count, float alpha, float beta, StoreMode mode)
    {
        int j = 0;
        if (Fma.IsSupported)
        {
            var va = Vector256.Create(alpha);
            var vb = Vector256.Create(beta);
            for (; j + 8 <= count; j += 8)
            {
                var x = Vector256.Load(acc + j);
                Vector256<float> result = mode switch
                {
                    StoreMode.Overwrite => x * va,
                    StoreMode.Blend => Fma.MultiplyAdd(x, va, vb * Vector256.Load(c + j)),
                    _ => Fma.MultiplyAdd(x, va, Vector256.Load(c + j)),
                };
                Vector256.Store(result, c + j);
            }
        }
        for (; j < count; j++) c[j] = Apply(acc[j], c[j], alpha, beta, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Apply(float acc, float old, float alpha, float beta, StoreMode mode) => mode switch
    {
        StoreMode.Overwrite => acc * alpha,
        StoreMode.Blend => MathF.FusedMultiplyAdd(acc, alpha, beta * old),
        _ => MathF.FusedMultiplyAdd(acc, alpha, old),
    };
}

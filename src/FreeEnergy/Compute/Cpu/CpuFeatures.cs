using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FreeEnergy.Compute.Cpu;

/// <summary>What the running CPU supports.</summary>
public static class CpuFeatures
{
    /// <summary>
    /// Test hook: when true, <see cref="SimdLevel.Avx512"/> is accepted on CPUs without AVX-512 and runs the
    /// 512-bit kernels on the software-emulated <see cref="Vector512{T}"/> (slow, correct). Only honoured on .NET 9+,
    /// where <c>Vector512.FusedMultiplyAdd</c> has a software fallback.
    /// </summary>
    internal static bool AllowEmulatedAvx512 { get; set; }

    /// <summary>The widest SIMD level available here.</summary>
    public static SimdLevel Best
    {
        get
        {
            if (HasAvx512) return SimdLevel.Avx512;
            if (Avx2.IsSupported && Fma.IsSupported) return SimdLevel.Avx2;
            if (Vector.IsHardwareAccelerated) return SimdLevel.VectorT;
            return SimdLevel.Scalar;
        }
    }

    /// <summary>Whether the CPU itself runs AVX-512 (not emulated).</summary>
    internal static bool IsHardwareAvx512 => HasAvx512;

    private static bool HasAvx512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>Whether <paramref name="level"/> can run on this CPU.</summary>
    public static bool IsSupported(SimdLevel level) => level switch
    {
        SimdLevel.Auto or SimdLevel.Scalar or SimdLevel.VectorT => true,
        SimdLevel.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        SimdLevel.Avx512 => HasAvx512 || CanEmulateAvx512,
        _ => false,
    };

#if NET9_0_OR_GREATER
    private static bool CanEmulateAvx512 => AllowEmulatedAvx512;
#else
    private static bool CanEmulateAvx512 => false;
#endif

    /// <summary>Maps <see cref="SimdLevel.Auto"/> to <see cref="Best"/> and rejects unsupported levels.</summary>
    public static SimdLevel Resolve(SimdLevel level)
    {
        if (level == SimdLevel.Auto) return Best;
        if (!IsSupported(level)) throw new PlatformNotSupportedException($"This CPU does not support SIMD level {level}.");
        return level;
    }
}

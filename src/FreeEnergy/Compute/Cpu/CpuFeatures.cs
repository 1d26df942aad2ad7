using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FreeEnergy.Compute.Cpu;

/// <summary>What the running CPU supports.</summary>
public static class CpuFeatures
{
    /// <summary>The widest SIMD level available here.</summary>
    public static SimdLevel Best
    {
        get
        {
            if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) return SimdLevel.Avx512;
            if (Avx2.IsSupported && Fma.IsSupported) return SimdLevel.Avx2;
            if (Vector.IsHardwareAccelerated) return SimdLevel.VectorT;
            return SimdLevel.Scalar;
        }
    }

    /// <summary>Whether <paramref name="level"/> can run on this CPU.</summary>
    public static bool IsSupported(SimdLevel level) => level switch
    {
        SimdLevel.Auto or SimdLevel.Scalar or SimdLevel.VectorT => true,
        SimdLevel.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        SimdLevel.Avx512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        _ => false,
    };

    /// <summary>Maps <see cref="SimdLevel.Auto"/> to <see cref="Best"/> and rejects unsupported levels.</summary>
    public static SimdLevel Resolve(SimdLevel level)
    {
        if (level == SimdLevel.Auto) return Best;
        if (!IsSupported(level)) throw new PlatformNotSupportedException($"This CPU does not support SIMD level {level}.");
        return level;
    }
}

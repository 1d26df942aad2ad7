namespace FreeEnergy.Compute;

/// <summary>The instruction-set width a CPU kernel runs with. <see cref="Auto"/> picks the widest the CPU supports.</summary>
public enum SimdLevel
{
    /// <summary>The widest level this CPU supports.</summary>
    Auto = 0,

    /// <summary>Plain scalar code (the reference).</summary>
    Scalar = 1,

    /// <summary>Portable <see cref="System.Numerics.Vector{T}"/> code.</summary>
    VectorT = 2,

    /// <summary>256-bit vectors with fused multiply-add (AVX2 + FMA).</summary>
    Avx2 = 3,

    /// <summary>512-bit vectors (AVX-512F).</summary>
    Avx512 = 4,
}

namespace FreeEnergy.Compute;

/// <summary>Whether a GEMM operand is used as stored or transposed.</summary>
public enum Transpose
{
    /// <summary>Use the operand as stored (row-major).</summary>
    None = 0,

    /// <summary>Use the transpose of the stored operand.</summary>
    Transposed = 1,
}

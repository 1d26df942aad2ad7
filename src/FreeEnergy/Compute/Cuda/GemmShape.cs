namespace FreeEnergy.Compute.Cuda;

/// <summary>Argument checks and operand extents for row-major GEMM.</summary>
internal static class GemmShape
{
    /// <summary>
    /// Validates sizes and leading dimensions and returns how many floats of A, B and C the product touches
    /// ((rows - 1) * ld + columns for each stored operand).
    /// </summary>
    public static (long A, long B, long C) Extents(Transpose transposeA, Transpose transposeB, int m, int n, int k, int lda, int ldb, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        int aRows = transposeA == Transpose.None ? m : k, aColumns = transposeA == Transpose.None ? k : m;
        int bRows = transposeB == Transpose.None ? k : n, bColumns = transposeB == Transpose.None ? n : k;
        if (aRows > 0 && aColumns > 0 && lda < aColumns) throw new ArgumentOutOfRangeException(nameof(lda), $"lda ({lda}) is smaller than A's row length ({aColumns}).");
        if (bRows > 0 && bColumns > 0 && ldb < bColumns) throw new ArgumentOutOfRangeException(nameof(ldb), $"ldb ({ldb}) is smaller than B's row length ({bColumns}).");
        if (m > 0 && n > 0 && ldc < n) throw new ArgumentOutOfRangeException(nameof(ldc), $"ldc ({ldc}) is smaller than C's row length ({n}).");
        long Extent(int rows, int columns, int ld) => rows == 0 || columns == 0 ? 0 : (long)(rows - 1) * ld + columns;
        long ea = Extent(aRows, aColumns, lda), eb = Extent(bRows, bColumns, ldb), ec = Extent(m, n, ldc);
        if (ea > int.MaxValue || eb > int.MaxValue || ec > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(m), "GEMM operands over 2^31 floats are not supported.");
        return (ea, eb, ec);
    }
}

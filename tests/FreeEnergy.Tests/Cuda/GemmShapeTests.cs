using FreeEnergy.Compute;
using FreeEnergy.Compute.Cuda;

namespace FreeEnergy.Tests.Cuda;

/// <summary>Operand extents and argument checks shared by the CUDA GEMM paths (no GPU needed).</summary>
public class GemmShapeTests
{
    [Theory]
    [InlineData(Transpose.None, Transpose.None, 3, 4, 5, 5, 4, 4, 15, 20, 12)]
    [InlineData(Transpose.Transposed, Transpose.None, 3, 4, 5, 3, 4, 4, 15, 20, 12)]
    [InlineData(Transpose.None, Transpose.Transposed, 3, 4, 5, 7, 6, 9, 19, 23, 22)]
    [InlineData(Transpose.Transposed, Transpose.Transposed, 3, 4, 5, 3, 5, 4, 15, 20, 12)]
    public void ExtentsCoverTheLastElementOfEachOperand(Transpose ta, Transpose tb, int m, int n, int k, int lda, int ldb, int ldc, long ea, long eb, long ec)
        => Assert.Equal((ea, eb, ec), GemmShape.Extents(ta, tb, m, n, k, lda, ldb, ldc));

    [Fact]
    public void EmptyProductsTouchNothing()
    {
        Assert.Equal((0L, 0L, 0L), GemmShape.Extents(Transpose.None, Transpose.None, 0, 0, 0, 0, 0, 0));
        Assert.Equal((0L, 0L, 12L), GemmShape.Extents(Transpose.None, Transpose.None, 3, 4, 0, 0, 4, 4));
    }

    [Fact]
    public void LeadingDimensionShorterThanARowIsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GemmShape.Extents(Transpose.None, Transpose.None, 3, 4, 5, 4, 4, 4));
        Assert.Contains("lda (4) is smaller than A's row length (5)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmShape.Extents(Transpose.None, Transpose.None, 3, 4, 5, 5, 4, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmShape.Extents(Transpose.None, Transpose.None, -1, 4, 5, 5, 4, 4));
    }
}

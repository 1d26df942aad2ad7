using FreeEnergy.Compute.Random;

namespace FreeEnergy.Tests.Compute;

public class PhiloxTests
{
    // Known-answer vectors from the Random123 distribution (kat_vectors, philox4x32 10 rounds).
    [Theory]
    [InlineData(0UL, 0UL, 0UL, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffffffffffUL, 0xffffffffffffffffUL, 0xffffffffffffffffUL, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x299f31d0a4093822UL, 0x0370734413198a2eUL, 0x85a308d3243f6a88UL, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void MatchesRandom123KnownAnswers(ulong seed, ulong stream, ulong block, uint r0, uint r1, uint r2, uint r3)
    {
        Assert.Equal((r0, r1, r2, r3), Philox.Block(seed, stream, block));
    }

    [Fact]
    public void FillUniformIsIndependentOfSplit()
    {
        var whole = new float[103];
        Philox.FillUniform(7, 3, 5, whole);
        var parts = new float[103];
        Philox.FillUniform(7, 3, 5, parts.AsSpan(0, 50));
        Philox.FillUniform(7, 3, 55, parts.AsSpan(50));
        Assert.Equal(whole, parts);
        Assert.All(whole, u => Assert.InRange(u, 0f, 0.99999995f));
    }

    [Fact]
    public void GaussianMomentsAreStandard()
    {
        var z = new float[200_000];
        Philox.FillGaussian(11, 1, 0, z);
        double mean = z.Average(v => (double)v);
        double variance = z.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.98, 1.02);

        var shifted = new float[50];
        Philox.FillGaussian(11, 1, 1, shifted);
        Assert.Equal(z.AsSpan(1, 50).ToArray(), shifted);
    }

    [Fact]
    public void RandomStreamIntegersAreUnbiasedAndInRange()
    {
        var rng = new RandomStream(5, 9);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[rng.NextInt(7)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }
}

using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.Tests.Rbm;

public class PhiloxBernoulliTests
{
    [Theory]
    [InlineData(0UL, 1000)]
    [InlineData(3UL, 777)]
    [InlineData(0xFFFFFFFCUL, 100)]   // block counter crosses 2^32 / 4 words
    [InlineData(0x3FFFFFFFFUL, 70)]  // crosses the 32-bit low word of the block counter
    [InlineData(5UL, 31)]
    [InlineData(1500UL, 500)]         // a 500-unit row: 15 vector groups and a 20-word tail group
    public void MatchesTheScalarSamplerBitForBit(ulong start, int count)
    {
        var p = new float[count];
        Philox.FillUniform(99, 5, 0, p);
        var expected = new float[count];
        var actual = new float[count];
        Sampling.Bernoulli(p, expected, 1234, 0xABCDEF, start);
        PhiloxBernoulli.Sample(p, actual, 1234, 0xABCDEF, start);
        Assert.Equal(expected, actual);
        Assert.Contains(1f, actual);
        Assert.Contains(0f, actual);
    }
}

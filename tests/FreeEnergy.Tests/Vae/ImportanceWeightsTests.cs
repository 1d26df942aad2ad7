using FreeEnergy.Models;

namespace FreeEnergy.Tests.Vae;

/// <summary><see cref="ImportanceWeights"/> against the definitions computed directly, and with log weights whose exp overflows.</summary>
public class ImportanceWeightsTests
{
    [Fact]
    public void MatchesTheDefinitionsComputedDirectly()
    {
        double[] logWeights = [-1.5, 0.25, -3, 2];
        var normalised = new double[4];
        double bound = ImportanceWeights.Normalise(logWeights, normalised);
        double total = logWeights.Sum(Math.Exp);
        Assert.Equal(-Math.Log(total / 4), bound, 12);
        for (int s = 0; s < 4; s++) Assert.Equal(Math.Exp(logWeights[s]) / total, normalised[s], 12);
    }

    [Fact]
    public void LargeLogWeightsStayFinite()
    {
        double[] logWeights = [-1000, -1001, -999];
        var normalised = new double[3];
        double bound = ImportanceWeights.Normalise(logWeights, normalised);
        // -log mean exp(lw) = 999 - log((e^-1 + e^-2 + 1) / 3), with the weights in the same proportions.
        Assert.Equal(999 - Math.Log((Math.Exp(-1) + Math.Exp(-2) + 1) / 3), bound, 9);
        Assert.Equal(1.0, normalised.Sum(), 12);
        Assert.Equal(Math.Exp(-1), normalised[0] / normalised[2], 12);
    }
}

using FreeEnergy.Compute.Random;
using FreeEnergy.Estimation;

namespace FreeEnergy.Tests.Rbm;

/// <summary>The AIS weight increment against a double-precision reference written from the definition.</summary>
public class SoftplusDifferenceTests
{
    /// <summary>log(1 + e^x) in double, directly from the definition (no shared code with the library).</summary>
    private static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    [Theory]
    [InlineData(0.0, 1e-3, 500)]          // the first, coarsest steps of the default schedule
    [InlineData(0.5, 0.5 + 1e-4, 501)]    // the middle
    [InlineData(0.9999, 1.0, 37)]         // the last step, a scalar tail
    [InlineData(0.3, 0.3 + 0.01, 64)]     // a coarse custom schedule: |step p| above the series limit, the exact path
    public void SumMatchesTheDefinitionToItsOwnPrecision(double from, double to, int n)
    {
        var rng = new RandomStream(41, (ulong)n);
        var p = new float[n];
        for (int j = 0; j < n; j++) p[j] = 40f * (rng.NextFloat() - 0.5f); // pre-activations in [-20, 20]
        double reference = 0, scale = 0;
        for (int j = 0; j < n; j++)
        {
            // softplus(to p) - softplus(from p) = log1p(sigm(from p) expm1((to - from) p)), evaluated in double.
            double x = from * p[j], dx = (to - from) * p[j];
            double term = Math.Log(1 + 1 / (1 + Math.Exp(-x)) * (Math.Exp(dx) - 1));
            Assert.Equal(Softplus(to * p[j]) - Softplus(x), term, 9);
            reference += term;
            scale += Math.Abs(term);
        }
        double sum = SoftplusDifference.Sum(p, from, to, new float[n]);
        Assert.True(Math.Abs(sum - reference) <= 1e-6 * scale, $"sum {sum}, reference {reference} (scale {scale})");
    }

    [Fact]
    public void NaNPropagates()
    {
        var p = new float[16];
        p[3] = float.NaN;
        Assert.True(double.IsNaN(SoftplusDifference.Sum(p, 0.5, 0.5001, new float[16])));
    }
}

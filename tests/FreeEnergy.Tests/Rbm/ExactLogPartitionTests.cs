using FreeEnergy.Compute.Cpu;
using FreeEnergy.Estimation;
using FreeEnergy.Tensors;

namespace FreeEnergy.Tests.Rbm;

public class ExactLogPartitionTests
{
    [Theory]
    [InlineData(6, 4, 1.0f)]   // enumerates h
    [InlineData(3, 7, 1.5f)]   // enumerates v
    [InlineData(10, 9, 0.7f)]  // chunked Gray-code path (2^9 states in chunks of 2^8)
    public void BernoulliMatchesBruteForceOverBothLayers(int d, int h, float scale)
    {
        var model = RbmTestData.RandomBernoulli(d, h, scale, (ulong)(d * 31 + h));
        var vs = RbmTestData.AllStates(d);
        var hs = RbmTestData.AllStates(h);
        double expected = RbmTestData.LogSumExp(vs.SelectMany(v => hs.Select(hh => -RbmTestData.Energy(model, v, hh))));
        foreach (var threads in new[] { 1, 2 })
            Assert.Equal(expected, ExactLogPartition.Compute(model, new CpuBackend(threads)), 3);
    }

    [Fact]
    public void GaussianMatchesNumericIntegration()
    {
        // Z = integral over v of exp(-F(v)); F from brute force over h; 2-D midpoint rule over a wide box.
        var model = RbmTestData.RandomGaussian(2, 3, 0.8f, 11);
        var hs = RbmTestData.AllStates(3);
        const int n = 300;
        const double lo = -14, hi = 14, step = (hi - lo) / n;
        var terms = new List<double>(n * n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                var v = new[] { lo + (i + 0.5) * step, lo + (j + 0.5) * step };
                terms.Add(RbmTestData.LogSumExp(hs.Select(hh => -RbmTestData.Energy(model, v, hh))));
            }
        double expected = RbmTestData.LogSumExp(terms) + 2 * Math.Log(step);
        Assert.Equal(expected, ExactLogPartition.Compute(model), 3);
    }

    [Fact]
    public void RejectsLayersThatAreTooLarge()
    {
        var model = RbmTestData.RandomBernoulli(30, 25, 0.1f, 1);
        Assert.False(ExactLogPartition.IsFeasible(model));
        Assert.Throws<ArgumentException>(() => ExactLogPartition.Compute(model));
    }

    [Fact]
    public void NormalisedScoresSumToOne()
    {
        var model = RbmTestData.RandomBernoulli(8, 5, 1f, 12);
        double logZ = ExactLogPartition.Compute(model);
        var nll = RbmLikelihood.NegativeLogLikelihood(model, Matrix.FromRows(RbmTestData.AllStates(8)).View, logZ);
        Assert.Equal(1.0, nll.Sum(x => Math.Exp(-x)), 4);
    }
}

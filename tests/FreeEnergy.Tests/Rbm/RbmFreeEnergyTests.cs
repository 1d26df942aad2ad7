using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Tests.Rbm;

public class RbmFreeEnergyTests
{
    [Theory]
    [InlineData(5, 4, 1.0f, 1UL)]
    [InlineData(7, 3, 3.0f, 2UL)]
    public void BernoulliFreeEnergyEqualsBruteForceMarginal(int d, int h, float scale, ulong seed)
    {
        var model = RbmTestData.RandomBernoulli(d, h, scale, seed);
        var data = RbmTestData.AllStates(d);
        var f = model.FreeEnergy(Matrix.FromRows(data).View);
        var hs = RbmTestData.AllStates(h);
        for (int r = 0; r < data.Length; r++)
        {
            double expected = -RbmTestData.LogSumExp(hs.Select(hh => -RbmTestData.Energy(model, data[r], hh)));
            Assert.Equal(expected, f[r], 4);
        }
    }

    [Fact]
    public void BernoulliFreeEnergyAcceptsProbabilities()
    {
        var model = RbmTestData.RandomBernoulli(4, 3, 1f, 3);
        var v = new[] { 0.25f, 1f, 0f, 0.5f };
        var f = model.FreeEnergy(Matrix.FromRows([v]).View)[0];
        // F(v) = -a.v - sum softplus(b + v W) is the same formula for fractional v.
        double expected = 0;
        for (int i = 0; i < 4; i++) expected -= model.VisibleBias[i] * v[i];
        for (int j = 0; j < 3; j++)
        {
            double x = model.HiddenBias[j];
            for (int i = 0; i < 4; i++) x += v[i] * model.Weights[i * 3 + j];
            expected -= Math.Log(1 + Math.Exp(x));
        }
        Assert.Equal(expected, f, 4);
    }

    [Fact]
    public void GaussianFreeEnergyEqualsBruteForceMarginal()
    {
        var model = RbmTestData.RandomGaussian(3, 4, 1.5f, 4);
        var rows = new[] { new[] { 0.3f, -1.2f, 2.0f }, new[] { -0.7f, 0.1f, 0.0f }, new[] { 3f, 2f, -2.5f } };
        var f = model.FreeEnergy(Matrix.FromRows(rows).View);
        var hs = RbmTestData.AllStates(4);
        for (int r = 0; r < rows.Length; r++)
        {
            var v = rows[r].Select(x => (double)x).ToArray();
            double expected = -RbmTestData.LogSumExp(hs.Select(hh => -RbmTestData.Energy(model, v, hh)));
            Assert.Equal(expected, f[r], 4);
        }
    }

    [Fact]
    public void EncodeAndReconstructMatchTheConditionals()
    {
        var model = RbmTestData.RandomBernoulli(4, 3, 1f, 5);
        var v = new[] { 1f, 0f, 1f, 1f };
        var enc = model.Encode(Matrix.FromRows([v]).View);
        var rec = model.Reconstruct(Matrix.FromRows([v]).View);
        var p = new double[3];
        for (int j = 0; j < 3; j++)
        {
            double x = model.HiddenBias[j];
            for (int i = 0; i < 4; i++) x += v[i] * model.Weights[i * 3 + j];
            p[j] = 1 / (1 + Math.Exp(-x));
            Assert.Equal(p[j], enc[0, j], 5);
        }
        for (int i = 0; i < 4; i++)
        {
            double x = model.VisibleBias[i];
            for (int j = 0; j < 3; j++) x += model.Weights[i * 3 + j] * p[j];
            Assert.Equal(1 / (1 + Math.Exp(-x)), rec[0, i], 5);
        }
    }

    [Fact]
    public void DocumentRoundTripKeepsEverything()
    {
        var model = RbmTestData.RandomGaussian(5, 3, 1f, 6);
        model.LogPartition = -12.5;
        model.Annotations["negative_phase"] = "cd-1";
        var doc = model.ToDocument();
        Assert.Equal(ModelKinds.GaussianRbm, doc.Kind);
        Assert.Equal("5", doc.Hyperparameters["visible"]);
        Assert.Equal(new[] { 5, 3 }, doc.Tensors.Single(t => t.Name == "weights").Shape);
        var back = (GaussianRbm)RbmBase.FromDocument(doc);
        Assert.Equal(model.Weights, back.Weights);
        Assert.Equal(model.VisibleSigma, back.VisibleSigma);
        Assert.Equal(-12.5, back.LogPartition);
        Assert.Equal("cd-1", back.Annotations["negative_phase"]);
        Assert.Throws<ModelFileException>(() => BernoulliRbm.FromDocument(doc));
    }

    [Fact]
    public void SamplingIsSeededAndMatchesTheModelMarginal()
    {
        // A 3-visible model: compare the empirical distribution of samples with exp(-F(v)) / Z.
        var model = RbmTestData.RandomBernoulli(3, 2, 1.5f, 7);
        var options = new RbmSamplingOptions { BurnIn = 20, Thinning = 1, Chains = 500, Seed = 3, ReturnMeans = false };
        var a = model.Sample(4000, options);
        var b = model.Sample(4000, options);
        Assert.Equal(a.Data, b.Data);
        var states = RbmTestData.AllStates(3);
        var f = model.FreeEnergy(Matrix.FromRows(states).View);
        double logZ = RbmTestData.LogSumExp(f.Select(x => -(double)x));
        var counts = new int[8];
        for (int r = 0; r < a.Rows; r++) counts[(int)(a[r, 0] + 2 * a[r, 1] + 4 * a[r, 2])]++;
        for (int s = 0; s < 8; s++)
        {
            double p = Math.Exp(-f[s] - logZ);
            double se = Math.Sqrt(p * (1 - p) / a.Rows);
            Assert.InRange(counts[s] / (double)a.Rows, p - 5 * se - 0.01, p + 5 * se + 0.01);
        }
    }
}

using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using VaeModel = FreeEnergy.Models.Vae;

namespace FreeEnergy.Tests.Vae;

public class VaeEstimatorTests
{
    [Theory]
    [InlineData(1.0, 11UL)]
    [InlineData(1.6, 12UL)]
    public void ImportanceWeightedEstimateConvergesToTheExactPpcaLikelihood(double priorScale, ulong seed)
    {
        var oracle = new PpcaOracle(6, 3, priorScale, seed);
        var model = VaeModel.FromDocument(oracle.Document(4));
        var data = oracle.Sample(20, seed + 100);
        var exact = new double[data.Rows];
        for (int r = 0; r < data.Rows; r++) exact[r] = oracle.NegativeLogLikelihood(data.Row(r));

        var k1 = model.Estimate(data.View, 1, seed: 1);
        var k1000 = model.Estimate(data.View, 1000, seed: 2);
        double errIwae1 = MeanAbs(k1.ImportanceWeighted, exact), errIwae1000 = MeanAbs(k1000.ImportanceWeighted, exact);
        Assert.True(errIwae1000 < errIwae1 / 4, $"IWAE error K=1 {errIwae1:F4}, K=1000 {errIwae1000:F4}");
        Assert.True(errIwae1000 < 0.15, $"IWAE error at K=1000 is {errIwae1000:F4}");

        // F_q bounds -log p(x) from above (the mean-field q misses the posterior correlations).
        double gap = 0, iwaeBias = 0;
        for (int r = 0; r < data.Rows; r++)
        {
            Assert.True(k1000.FreeEnergy[r] > exact[r] - 0.02, $"row {r}: F_q {k1000.FreeEnergy[r]} < exact {exact[r]}");
            gap += k1000.FreeEnergy[r] - exact[r];
            iwaeBias += k1000.ImportanceWeighted[r] - exact[r];
        }
        Assert.True(gap / data.Rows > 0.01, "the test needs a real variational gap");
        Assert.True(iwaeBias / data.Rows > -0.02, $"IWAE is an upper bound in expectation; mean error {iwaeBias / data.Rows}");

        // The cumulant corrections close most of the gap.
        double errFq = MeanAbs(k1000.FreeEnergy, exact);
        Assert.True(errIwae1000 < errFq / 3, $"IWAE error {errIwae1000:F4} vs F_q {errFq:F4}");
        double err2 = MeanAbs(k1000.CumulantSecondOrder, exact), err3 = MeanAbs(k1000.CumulantThirdOrder, exact);
        Assert.True(err2 < errFq / 2, $"second-order cumulant error {err2:F4} vs F_q {errFq:F4}");
        Assert.True(err3 < errFq / 2, $"third-order cumulant error {err3:F4} vs F_q {errFq:F4}");
    }

    [Fact]
    public void FreeEnergyMatchesTheAnalyticPpcaExpectationAndTheDocumentedFormula()
    {
        var oracle = new PpcaOracle(5, 2, 1.3, 21);
        var model = VaeModel.FromDocument(oracle.Document(3, posteriorVarianceScale: 1.7));
        var data = oracle.Sample(8, 5);
        var (mu, lv) = model.EncodeDistribution(data.View);
        var deterministic = model.FreeEnergy(data.View);
        var sampled = model.Estimate(data.View, 4000, seed: 3).FreeEnergy;
        var noise = model.ScoringNoise;
        double r2 = oracle.R * oracle.R;
        for (int r = 0; r < data.Rows; r++)
        {
            double kl = 0;
            for (int j = 0; j < oracle.Z; j++)
                kl += Math.Log(oracle.R) - 0.5 * lv[r, j] + (mu[r, j] * (double)mu[r, j] + Math.Exp(lv[r, j])) / (2 * r2) - 0.5;
            // Analytic E_q[-log p(x|z)] for the linear Gaussian decoder.
            double expected = 0;
            for (int i = 0; i < oracle.D; i++)
            {
                double mean = oracle.B[i], variance = 0;
                for (int j = 0; j < oracle.Z; j++) { mean += mu[r, j] * oracle.W[j, i]; variance += Math.Exp(lv[r, j]) * oracle.W[j, i] * oracle.W[j, i]; }
                double diff = data[r, i] - mean;
                expected += 0.5 * (Math.Log(2 * Math.PI) + Math.Log(oracle.S2[i]) + (diff * diff + variance) / oracle.S2[i]);
            }
            Assert.True(Math.Abs(sampled[r] - (expected + kl)) < 0.05 * (1 + Math.Abs(expected)), $"row {r}: {sampled[r]} vs {expected + kl}");

            // The documented deterministic formula with the stored draws.
            double fixedDraws = 0;
            for (int k = 0; k < model.ScoringSamples; k++)
            {
                for (int i = 0; i < oracle.D; i++)
                {
                    double m = oracle.B[i];
                    for (int j = 0; j < oracle.Z; j++) m += (mu[r, j] + Math.Exp(0.5 * lv[r, j]) * noise[k, j]) * oracle.W[j, i];
                    double diff = data[r, i] - m;
                    fixedDraws += 0.5 * (Math.Log(2 * Math.PI) + Math.Log(oracle.S2[i]) + diff * diff / oracle.S2[i]);
                }
            }
            double formula = fixedDraws / model.ScoringSamples + kl;
            Assert.True(Math.Abs(deterministic[r] - formula) < 1e-4 * (1 + Math.Abs(formula)), $"row {r}: {deterministic[r]} vs {formula}");
        }
    }

    [Fact]
    public void ClosedFormKlMatchesMonteCarlo()
    {
        var random = new RandomStream(31, 1);
        const int z = 4, n = 200_000;
        float r = 1.4f;
        var mu = new float[z];
        var lv = new float[z];
        for (int j = 0; j < z; j++) { mu[j] = 2 * random.NextFloat() - 1; lv[j] = 2 * random.NextFloat() - 1.5f; }
        double closed = VaeKernels.Kl(mu, lv, r);
        var eps = new float[z];
        var zs = new float[z];
        double sum = 0, sumSq = 0;
        for (int s = 0; s < n; s++)
        {
            Philox.FillGaussian(8, 9, (ulong)s * z, eps);
            for (int j = 0; j < z; j++) zs[j] = mu[j] + MathF.Exp(0.5f * lv[j]) * eps[j];
            // log q - log p written out independently of the kernel.
            double v = 0;
            for (int j = 0; j < z; j++)
            {
                double logQ = -0.5 * Math.Log(2 * Math.PI) - 0.5 * lv[j] - 0.5 * (zs[j] - mu[j]) * (zs[j] - mu[j]) / Math.Exp(lv[j]);
                double logP = -0.5 * Math.Log(2 * Math.PI) - Math.Log(r) - 0.5 * zs[j] * (double)zs[j] / (r * r);
                v += logQ - logP;
            }
            sum += v; sumSq += v * v;
        }
        double mean = sum / n, se = Math.Sqrt((sumSq / n - mean * mean) / n);
        Assert.True(Math.Abs(mean - closed) < 4 * se + 1e-4, $"closed {closed}, MC {mean} +- {se}");
    }

    [Fact]
    public void ScoresAreIdenticalRunToRunAndAcrossThreadCounts()
    {
        var oracle = new PpcaOracle(6, 3, 1.0, 4);
        var data = oracle.Sample(300, 9);
        var one = VaeModel.FromDocument(oracle.Document(5));
        one.Backend = new CpuBackend(1);
        var two = VaeModel.FromDocument(oracle.Document(5));
        two.Backend = new CpuBackend(2);
        Assert.Equal(one.FreeEnergy(data.View), one.FreeEnergy(data.View));
        Assert.Equal(one.FreeEnergy(data.View), two.FreeEnergy(data.View));
        var e1 = one.Estimate(data.View, 7, seed: 5);
        var e2 = two.Estimate(data.View, 7, seed: 5);
        Assert.Equal(e1.ImportanceWeighted, e2.ImportanceWeighted);
        Assert.Equal(e1.CumulantThirdOrder, e2.CumulantThirdOrder);
        // Chunking of (row, sample) pairs does not matter: row 0 alone gets the same draws as inside the batch
        // (a GEMM may round a 1-row product differently in the last bit, hence the tolerance).
        var alone = one.Estimate(data.RowRange(0, 1), 7, seed: 5);
        Assert.Equal(e1.ImportanceWeighted[0], alone.ImportanceWeighted[0], 1e-6 * Math.Abs(e1.ImportanceWeighted[0]));
        Assert.Equal(e1.FreeEnergy[0], alone.FreeEnergy[0], 1e-6 * Math.Abs(e1.FreeEnergy[0]));
        float batched = one.FreeEnergy(data.View)[0];
        Assert.Equal(batched, one.FreeEnergy(data.RowRange(0, 1))[0], 1e-6 * Math.Abs(batched));
    }

    private static double MeanAbs(float[] estimate, double[] exact)
    {
        double s = 0;
        for (int i = 0; i < exact.Length; i++) s += Math.Abs(estimate[i] - exact[i]);
        return s / exact.Length;
    }
}

using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Training;
using VaeModel = FreeEnergy.Models.Vae;

namespace FreeEnergy.Tests.Vae;

/// <summary>The IWAE training objective (VaeTrainingOptions.ImportanceSamples) against independent references.</summary>
public class ImportanceWeightedTrainingTests
{
    private static readonly CpuBackend Backend = new(1);

    private static (VaeModel Model, VaeWorkspace Ws, float[] Eps) Setup(VaeLikelihood likelihood, int rows, int samples, int d = 6, int z = 3)
    {
        var options = new VaeTrainingOptions
        {
            LatentDimension = z, EncoderLayers = [5], DecoderLayers = [4], Activation = Activation.Tanh, Likelihood = likelihood,
            Beta = 1.25f, PriorScale = 1.2f, InitialLogVariance = -0.2f, Seed = 5,
        };
        var model = VaeModel.Create(d, options);
        var random = new RandomStream(21, 1);
        if (likelihood == VaeLikelihood.Gaussian)
            for (int i = 0; i < d; i++) model.Parameters[model.Layout.DecoderLogVarianceOffset + i] = random.NextFloat() - 0.5f;
        var ws = new VaeWorkspace(model.Layout, model.Parameters, Backend, rows * samples, training: true) { PriorScale = model.PriorScale };
        for (int r = 0; r < rows; r++)
        {
            var x = new float[d];
            for (int i = 0; i < d; i++) x[i] = likelihood == VaeLikelihood.Bernoulli ? random.NextFloat() : 2 * random.NextFloat() - 1;
            for (int s = 0; s < samples; s++) x.CopyTo(ws.X, (r * samples + s) * d);
        }
        var eps = new float[rows * samples * z];
        Philox.FillGaussian(8, 9, 0, eps);
        return (model, ws, eps);
    }

    private static double Bound(VaeWorkspace ws, float[] theta, float[] eps, int rows, int samples, float klWeight)
    {
        eps.CopyTo(ws.Eps, 0);
        ws.ForwardBackwardImportanceWeighted(theta, rows, samples, klWeight);
        double s = 0;
        for (int r = 0; r < rows; r++) s += ws.ImportanceBound[r];
        return s / rows;
    }

    [Theory]
    [InlineData(VaeLikelihood.Bernoulli, 1)]
    [InlineData(VaeLikelihood.Bernoulli, 4)]
    [InlineData(VaeLikelihood.Gaussian, 1)]
    [InlineData(VaeLikelihood.Gaussian, 5)]
    public void GradientMatchesFiniteDifferencesOfTheBound(VaeLikelihood likelihood, int samples)
    {
        const int rows = 3;
        var (model, ws, eps) = Setup(likelihood, rows, samples);
        var theta = model.Parameters;
        float klWeight = 1f / model.Beta;
        Bound(ws, theta, eps, rows, samples, klWeight);
        var grad = (float[])ws.Gradient.Clone();
        var messages = new List<string>();
        for (int p = 0; p < theta.Length; p++)
        {
            float original = theta[p];
            const float h = 1e-2f;
            theta[p] = original + h; double up = Bound(ws, theta, eps, rows, samples, klWeight);
            theta[p] = original - h; double down = Bound(ws, theta, eps, rows, samples, klWeight);
            theta[p] = original;
            double numeric = (up - down) / (2.0 * h);
            if (Math.Abs(numeric - grad[p]) > 3e-3 + 2e-2 * Math.Abs(numeric)) messages.Add($"param {p}: analytic {grad[p]}, numeric {numeric}");
        }
        Assert.True(messages.Count == 0, $"{messages.Count} of {theta.Length} gradients differ: {string.Join("; ", messages.Take(5))}");
    }

    /// <summary>The bound's value against log-mean-exp of log p(x|z) + log N(z; 0, r^2) - log N(z; mu, sigma^2) written out in double.</summary>
    [Theory]
    [InlineData(VaeLikelihood.Bernoulli)]
    [InlineData(VaeLikelihood.Gaussian)]
    public void BoundMatchesADirectLogMeanExp(VaeLikelihood likelihood)
    {
        const int rows = 2, samples = 6, d = 6, z = 3;
        var (model, ws, eps) = Setup(likelihood, rows, samples, d, z);
        Bound(ws, model.Parameters, eps, rows, samples, 1f);
        var xs = new Matrix(rows, d);
        for (int r = 0; r < rows; r++) ws.X.AsSpan(r * samples * d, d).CopyTo(xs.Data.AsSpan(r * d, d));
        var (mean, logVariance) = model.EncodeDistribution(xs.View);
        double r2 = model.PriorScale * (double)model.PriorScale;
        for (int r = 0; r < rows; r++)
        {
            var zs = new Matrix(samples, z);
            for (int s = 0; s < samples; s++)
                for (int j = 0; j < z; j++)
                    zs[s, j] = mean[r, j] + MathF.Exp(0.5f * logVariance[r, j]) * eps[(r * samples + s) * z + j];
            var decoded = model.Decode(zs.View);
            var logW = new double[samples];
            for (int s = 0; s < samples; s++)
            {
                double lw = 0;
                for (int i = 0; i < d; i++)
                {
                    double x = xs[r, i], m = decoded[s, i];
                    if (likelihood == VaeLikelihood.Bernoulli) lw += x * Math.Log(m) + (1 - x) * Math.Log(1 - m);
                    else
                    {
                        double lv = model.Parameters[model.Layout.DecoderLogVarianceOffset + i];
                        lw += -0.5 * (Math.Log(2 * Math.PI) + lv + (x - m) * (x - m) / Math.Exp(lv));
                    }
                }
                for (int j = 0; j < z; j++)
                {
                    double zj = zs[s, j], mu = mean[r, j], lv = logVariance[r, j];
                    lw += -0.5 * (Math.Log(2 * Math.PI * r2) + zj * zj / r2);
                    lw -= -0.5 * (Math.Log(2 * Math.PI) + lv + (zj - mu) * (zj - mu) / Math.Exp(lv));
                }
                logW[s] = lw;
            }
            double max = logW.Max();
            double expected = -(max + Math.Log(logW.Sum(v => Math.Exp(v - max)) / samples));
            Assert.Equal(expected, ws.ImportanceBound[r], 1e-4 * Math.Max(1, Math.Abs(expected)));
        }
    }

    /// <summary>
    /// k = 1 trains the ELBO itself (closed-form KL): the option left at 1 gives the same bits as not setting it, and the
    /// one-sample IWAE gradient (a Monte-Carlo log ratio in place of the closed-form KL) has the ELBO gradient's expectation.
    /// </summary>
    [Fact]
    public void OneSampleIsTheElbo()
    {
        var data = VaeTrainingTests.Prototypes(90, 10, 3);
        VaeTrainingOptions Options() => new() { LatentDimension = 3, EncoderLayers = [8], Epochs = 2, BatchSize = 32, LearningRate = 3e-3f, Seed = 4 };
        var plain = VaeTrainer.Train(data.View, null, Options(), Backend);
        var one = Options();
        one.ImportanceSamples = 1;
        Assert.Equal(plain.Parameters, VaeTrainer.Train(data.View, null, one, Backend).Parameters);

        const int rows = 2, draws = 4000;
        var (model, ws, _) = Setup(VaeLikelihood.Bernoulli, rows, 1);
        var theta = model.Parameters;
        float klWeight = 1f / model.Beta;
        int n = theta.Length;
        var sum = new double[n];
        var sumSquares = new double[n];
        var eps = new float[rows * model.LatentDimension];
        for (int t = 0; t < draws; t++)
        {
            Philox.FillGaussian(100, (ulong)t, 0, eps);
            eps.CopyTo(ws.Eps, 0);
            ws.ForwardBackward(theta, rows, klWeight);
            var elbo = (float[])ws.Gradient.Clone();
            eps.CopyTo(ws.Eps, 0);
            ws.ForwardBackwardImportanceWeighted(theta, rows, 1, klWeight);
            for (int p = 0; p < n; p++)
            {
                double diff = ws.Gradient[p] - elbo[p];
                sum[p] += diff;
                sumSquares[p] += diff * diff;
            }
        }
        for (int p = 0; p < n; p++)
        {
            double mean = sum[p] / draws, sd = Math.Sqrt(Math.Max(0, sumSquares[p] / draws - mean * mean));
            Assert.True(Math.Abs(mean) <= 5 * sd / Math.Sqrt(draws) + 1e-6, $"param {p}: mean difference {mean}, standard error {sd / Math.Sqrt(draws)}");
        }
    }

    [Fact]
    public void SameSeedGivesTheSameWeightsOnAnyThreadCountAndTrainingLowersTheBound()
    {
        var data = VaeTrainingTests.Prototypes(120, 12, 1);
        var options = new VaeTrainingOptions { LatentDimension = 3, EncoderLayers = [16], Epochs = 4, BatchSize = 32, LearningRate = 3e-3f, Seed = 7, ImportanceSamples = 5 };
        var history = new List<TrainingProgress>();
        var a = VaeTrainer.Train(data.View, null, options, new CpuBackend(1), new Progress<TrainingProgress>(history.Add));
        var b = VaeTrainer.Train(data.View, null, options, new CpuBackend(2));
        Assert.Equal(a.Parameters, b.Parameters);
        options.ImportanceSamples = 1;
        Assert.NotEqual(a.Parameters, VaeTrainer.Train(data.View, null, options, new CpuBackend(1)).Parameters);
        Assert.Equal("5", a.TrainingNotes["importance_samples"]);
        Assert.Equal(4, history.Count);
        Assert.True(history[^1].TrainingLoss < history[0].TrainingLoss, $"{history[0].TrainingLoss} -> {history[^1].TrainingLoss}");
    }

    [Fact]
    public void StagedLearningRateFollowsThePaper()
    {
        var options = new VaeTrainingOptions { LearningRate = 1e-3f, LearningRateStages = true };
        int[] stageStarts = [0, 1, 4, 13, 40, 121, 364, 1093, 3280];
        for (int i = 0; i < stageStarts.Length; i++)
        {
            double expected = 1e-3 * Math.Pow(10, -i / 7.0);
            Assert.Equal(expected, options.LearningRateAt(stageStarts[i]), expected * 1e-6);
            if (i > 0) Assert.Equal(expected * Math.Pow(10, 1 / 7.0), options.LearningRateAt(stageStarts[i] - 1), expected * 1e-5);
        }
        Assert.Equal(1e-3f, new VaeTrainingOptions { LearningRate = 1e-3f }.LearningRateAt(500));

        // The schedule reaches the optimiser: one epoch (stage 0) is the constant rate's, the second (stage 1) is not.
        var data = VaeTrainingTests.Prototypes(60, 8, 5);
        VaeTrainingOptions Run(int epochs, bool stages) => new() { LatentDimension = 2, EncoderLayers = [6], Epochs = epochs, BatchSize = 20, Seed = 2, LearningRateStages = stages };
        Assert.Equal(VaeTrainer.Train(data.View, null, Run(1, false), Backend).Parameters, VaeTrainer.Train(data.View, null, Run(1, true), Backend).Parameters);
        Assert.NotEqual(VaeTrainer.Train(data.View, null, Run(2, false), Backend).Parameters, VaeTrainer.Train(data.View, null, Run(2, true), Backend).Parameters);
    }
}

using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Persistence;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Vae;

/// <summary>The two-level VAE x &lt;- z1 &lt;- z2 against finite differences, direct densities and a linear-Gaussian model with a closed-form likelihood.</summary>
public class HierarchicalVaeTests
{
    private static readonly CpuBackend Backend = new(1);

    private static VaeTrainingOptions Options(VaeLikelihood likelihood, int[] lower, int[] upper) => new()
    {
        LatentDimension = 3, UpperLatentDimension = 2, EncoderLayers = lower, UpperLayers = upper, Activation = Activation.Tanh,
        Likelihood = likelihood, Beta = 1.25f, UpperBeta = 0.8f, InitialLogVariance = -0.2f, Seed = 6,
    };

    public static TheoryData<VaeLikelihood, string, string, int> Networks() => new()
    {
        { VaeLikelihood.Bernoulli, "5", "4", 1 },
        { VaeLikelihood.Bernoulli, "5", "4", 3 },
        { VaeLikelihood.Gaussian, "4,3", "", 1 },
        { VaeLikelihood.Gaussian, "", "3", 4 },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void GradientMatchesFiniteDifferencesOfTheBound(VaeLikelihood likelihood, string lower, string upper, int samples)
    {
        const int d = 6, rows = 3;
        var options = Options(likelihood, Parse(lower), Parse(upper));
        var model = HierarchicalVae.Create(d, options);
        var theta = model.Parameters;
        var random = new RandomStream(13, 2);
        if (likelihood == VaeLikelihood.Gaussian)
            for (int i = 0; i < d; i++) theta[model.Layout.DecoderLogVarianceOffset + i] = random.NextFloat() - 0.5f;
        var ws = new HierarchicalVaeWorkspace(model.Layout, theta, Backend, rows * samples, training: true);
        for (int r = 0; r < rows; r++)
        {
            var x = new float[d];
            for (int i = 0; i < d; i++) x[i] = likelihood == VaeLikelihood.Bernoulli ? random.NextFloat() : 2 * random.NextFloat() - 1;
            for (int s = 0; s < samples; s++) x.CopyTo(ws.X, (r * samples + s) * d);
        }
        ws.FillNoise(3, 4, rows * samples);
        var eps1 = (float[])ws.Eps1.Clone();
        var eps2 = (float[])ws.Eps2.Clone();
        float w1 = 1f / model.Beta, w2 = 1f / model.UpperBeta;
        double Objective()
        {
            eps1.CopyTo(ws.Eps1, 0);
            eps2.CopyTo(ws.Eps2, 0);
            ws.ForwardBackward(theta, rows, samples, w1, w2);
            double s = 0;
            for (int r = 0; r < rows; r++) s += ws.Bound[r];
            return s / rows;
        }
        Objective();
        var grad = (float[])ws.Gradient.Clone();
        var messages = new List<string>();
        for (int p = 0; p < theta.Length; p++)
        {
            float original = theta[p];
            const float h = 1e-2f;
            theta[p] = original + h; double up = Objective();
            theta[p] = original - h; double down = Objective();
            theta[p] = original;
            double numeric = (up - down) / (2.0 * h);
            if (Math.Abs(numeric - grad[p]) > 3e-3 + 2e-2 * Math.Abs(numeric)) messages.Add($"param {p}: analytic {grad[p]}, numeric {numeric}");
        }
        Assert.True(messages.Count == 0, $"{messages.Count} of {theta.Length} gradients differ: {string.Join("; ", messages.Take(5))}");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(1100)] // wider than the stack scratch of 1024 latents
    public void MiddleLogRatioMatchesTheGaussianDensities(int n)
    {
        var random = new RandomStream(5, 5);
        float[] lv1 = new float[n], eps = new float[n], z1 = new float[n], prior = new float[2 * n], mu1 = new float[n];
        for (int j = 0; j < n; j++)
        {
            mu1[j] = random.NextFloat() - 0.5f; lv1[j] = random.NextFloat() - 0.5f; eps[j] = (float)random.NextGaussian();
            z1[j] = mu1[j] + MathF.Exp(0.5f * lv1[j]) * eps[j];
            prior[j] = random.NextFloat() - 0.5f; prior[n + j] = random.NextFloat() - 0.5f;
        }
        static double LogNormal(double x, double mean, double logVariance)
            => -0.5 * (Math.Log(2 * Math.PI) + logVariance + (x - mean) * (x - mean) / Math.Exp(logVariance));
        double expected = 0;
        for (int j = 0; j < n; j++) expected += LogNormal(z1[j], mu1[j], lv1[j]) - LogNormal(z1[j], prior[j], prior[n + j]);
        Assert.Equal(expected, HierarchicalVaeKernels.LogRatio(z1, lv1, eps, prior), 4);

        // The backward kernels against their formulas written out per latent in double precision.
        const float weight = 0.7f;
        var priorGrad = new float[2 * n];
        var z1Grad = Enumerable.Range(0, n).Select(j => 0.1f * (j % 5)).ToArray();
        var z1GradBefore = (float[])z1Grad.Clone();
        HierarchicalVaeKernels.PriorBackward(z1, prior, weight, priorGrad, z1Grad);
        var head1 = mu1.Concat(lv1).ToArray();
        var headGrad = new float[2 * n];
        HierarchicalVaeKernels.PosteriorHeadBackward(head1, eps, z1Grad, weight, headGrad);
        for (int j = 0; j < n; j++)
        {
            double d = z1[j] - prior[j], g = weight * d * Math.Exp(-prior[n + j]);
            Near(-g, priorGrad[j]);
            Near(0.5 * (weight - d * g), priorGrad[n + j]);
            Near(z1GradBefore[j] + g, z1Grad[j]);
            Assert.Equal(z1Grad[j], headGrad[j]);
            Near(0.5 * z1Grad[j] * eps[j] * Math.Exp(0.5 * lv1[j]) - 0.5 * weight, headGrad[n + j]);
        }
        static void Near(double expected, float actual) => Assert.True(Math.Abs(actual - expected) <= 1e-5 * (1 + Math.Abs(expected)), $"{actual} vs {expected}");
    }

    /// <summary>
    /// A linear-Gaussian two-level model (no hidden layers): z2 ~ N(0, I), z1 | z2 ~ N(A z2 + c, diag v1),
    /// x | z1 ~ N(W z1 + b, diag s2), so x ~ N(b + W c, W (A A^T + diag v1) W^T + diag s2) in closed form. With broad
    /// fixed proposals, IWAE with growing K converges to the exact -log p(x) from above and F_q stays above it.
    /// </summary>
    [Fact]
    public void ImportanceWeightedEstimateConvergesToTheClosedFormLikelihood()
    {
        const int d = 3, z1 = 2, z2 = 1, rows = 40;
        var options = new VaeTrainingOptions
        {
            LatentDimension = z1, UpperLatentDimension = z2, EncoderLayers = [], UpperLayers = [], Likelihood = VaeLikelihood.Gaussian,
            LearnVariance = false, Seed = 1,
        };
        var model = HierarchicalVae.Create(d, options);
        var L = model.Layout;
        var theta = model.Parameters;
        Array.Clear(theta);
        var random = new RandomStream(44, 1);
        double[,] a = new double[z1, z2], w = new double[d, z1];
        double[] c = new double[z1], v1 = new double[z1], b = new double[d], s2 = new double[d];
        for (int j = 0; j < z1; j++) { for (int k = 0; k < z2; k++) a[j, k] = random.NextGaussian(); c[j] = 0.5 * random.NextGaussian(); v1[j] = 0.4 + 0.4 * random.NextFloat(); }
        for (int i = 0; i < d; i++) { for (int j = 0; j < z1; j++) w[i, j] = 0.7 * random.NextGaussian(); b[i] = random.NextGaussian(); s2[i] = 0.5 + 0.5 * random.NextFloat(); }
        // p(z1|z2): weight [Z2, 2 Z1] (y = z2 W + bias), the mean columns A^T, the log variance columns 0 with bias log v1.
        for (int k = 0; k < z2; k++) for (int j = 0; j < z1; j++) theta[L.PriorHead.WeightOffset + k * 2 * z1 + j] = (float)a[j, k];
        for (int j = 0; j < z1; j++) { theta[L.PriorHead.BiasOffset + j] = (float)c[j]; theta[L.PriorHead.BiasOffset + z1 + j] = (float)Math.Log(v1[j]); }
        // p(x|z1): weight [Z1, D] = W^T, bias b, log variance log s2.
        for (int j = 0; j < z1; j++) for (int i = 0; i < d; i++) theta[L.Output.WeightOffset + j * d + i] = (float)w[i, j];
        for (int i = 0; i < d; i++) { theta[L.Output.BiasOffset + i] = (float)b[i]; theta[L.DecoderLogVarianceOffset + i] = (float)Math.Log(s2[i]); }
        // z1's marginal covariance S1 = A A^T + diag v1; the proposals: q(z1|x) = N(c, 1.5 diag S1), q(z2|z1) = N(0, I) (zero weights).
        var s1 = new double[z1, z1];
        for (int j = 0; j < z1; j++) for (int l = 0; l < z1; l++) { double s = j == l ? v1[j] : 0; for (int k = 0; k < z2; k++) s += a[j, k] * a[l, k]; s1[j, l] = s; }
        for (int j = 0; j < z1; j++) { theta[L.Head1.BiasOffset + j] = (float)c[j]; theta[L.Head1.BiasOffset + z1 + j] = (float)Math.Log(1.5 * s1[j, j]); }
        var mean = new double[d];
        var cov = new double[d, d];
        for (int i = 0; i < d; i++)
        {
            mean[i] = b[i];
            for (int j = 0; j < z1; j++) mean[i] += w[i, j] * c[j];
            for (int m = 0; m < d; m++)
            {
                double s = i == m ? s2[i] : 0;
                for (int j = 0; j < z1; j++) for (int l = 0; l < z1; l++) s += w[i, j] * s1[j, l] * w[m, l];
                cov[i, m] = s;
            }
        }
        var data = new Matrix(rows, d);
        for (int r = 0; r < rows; r++) for (int i = 0; i < d; i++) data[r, i] = (float)(mean[i] + Math.Sqrt(cov[i, i]) * random.NextGaussian());
        double exact = 0;
        for (int r = 0; r < rows; r++) exact += PpcaOracle.GaussianNegativeLogDensity(data.Data.AsSpan(r * d, d), mean, cov);
        exact /= rows;

        double Mean(float[] v) => v.Average(x => (double)x);
        var e1 = model.Estimate(data.View, 1, seed: 1);
        var e10 = model.Estimate(data.View, 10, seed: 2);
        var e100 = model.Estimate(data.View, 100, seed: 3);
        var e5000 = model.Estimate(data.View, 5000, seed: 4);
        double i1 = Mean(e1.ImportanceWeighted), i10 = Mean(e10.ImportanceWeighted), i100 = Mean(e100.ImportanceWeighted), i5000 = Mean(e5000.ImportanceWeighted);
        double fq = Mean(e5000.FreeEnergy);
        Assert.True(i1 > i10 && i10 > i100 && i100 > i5000 - 0.01, $"IWAE by K: {i1}, {i10}, {i100}, {i5000}; exact {exact}");
        Assert.True(i5000 >= exact - 0.02, $"IWAE-5000 {i5000} below the exact {exact}");
        Assert.True(i5000 - exact < 0.05, $"IWAE-5000 {i5000} not within 0.05 of the exact {exact}");
        Assert.True(i5000 - exact < (i1 - exact) / 5, $"the gap did not shrink: K=1 {i1 - exact}, K=5000 {i5000 - exact}");
        Assert.True(fq > i5000 + 0.05, $"F_q {fq} is not above IWAE-5000 {i5000} (exact {exact})");
    }

    [Fact]
    public void SameSeedGivesTheSameWeightsOnAnyThreadCountAndTrainingLowersTheLoss()
    {
        var data = VaeTrainingTests.Prototypes(120, 12, 2);
        foreach (int k in new[] { 1, 3 })
        {
            var options = new VaeTrainingOptions
            {
                LatentDimension = 4, UpperLatentDimension = 2, EncoderLayers = [16], Epochs = 4, BatchSize = 32, LearningRate = 3e-3f, Seed = 9,
                ImportanceSamples = k,
            };
            var history = new List<TrainingProgress>();
            var a = HierarchicalVaeTrainer.Train(data.View, null, options, new CpuBackend(1), new Progress<TrainingProgress>(history.Add));
            var b = HierarchicalVaeTrainer.Train(data.View, null, options, new CpuBackend(2));
            Assert.Equal(a.Parameters, b.Parameters);
            Assert.True(history[^1].TrainingLoss < history[0].TrainingLoss, $"k = {k}: {history[0].TrainingLoss} -> {history[^1].TrainingLoss}");
            options.Seed = 10;
            Assert.NotEqual(a.Parameters, HierarchicalVaeTrainer.Train(data.View, null, options, new CpuBackend(1)).Parameters);
        }
    }

    [Theory]
    [InlineData(VaeLikelihood.Bernoulli)]
    [InlineData(VaeLikelihood.Gaussian)]
    public void SaveAndLoadRoundTrip(VaeLikelihood likelihood)
    {
        var data = VaeTrainingTests.Prototypes(60, 8, 3);
        var options = Options(likelihood, [6], [4]);
        options.Epochs = 1;
        options.BatchSize = 20;
        var model = HierarchicalVaeTrainer.Train(data.View, null, options, Backend);
        var stream = new MemoryStream();
        ModelFile.Save(stream, model.ToDocument());
        stream.Position = 0;
        var document = ModelFile.Load(stream);
        Assert.Equal(ModelKinds.HierarchicalVae, document.Kind);
        Assert.Equal("3", document.Hyperparameters["latent"]);
        Assert.Equal("2", document.Hyperparameters["upper_latent"]);
        Assert.Equal("6", document.Hyperparameters["lower_layers"]);
        Assert.Equal("4", document.Hyperparameters["upper_layers"]);
        var copy = HierarchicalVae.FromDocument(document);
        copy.Backend = Backend;
        Assert.Equal(model.Parameters, copy.Parameters);
        Assert.Equal(model.FreeEnergy(data.View), copy.FreeEnergy(data.View));
        Assert.Equal(model.Beta, copy.Beta);
        Assert.Equal(model.UpperBeta, copy.UpperBeta);
        Assert.Equal("1", copy.Annotations["epochs"]);
        Assert.Throws<ModelFileException>(() => FreeEnergy.Models.Vae.FromDocument(document));
    }

    [Fact]
    public void ScoresAreDeterministicAndEncodeDecodeHaveTheirShapes()
    {
        var data = VaeTrainingTests.Prototypes(30, 8, 4);
        var model = HierarchicalVae.Create(8, Options(VaeLikelihood.Bernoulli, [6], [4]));
        model.Backend = Backend;
        Assert.Equal(model.FreeEnergy(data.View), model.FreeEnergy(data.View));
        var twoThreads = HierarchicalVae.FromDocument(model.ToDocument());
        twoThreads.Backend = new CpuBackend(2);
        Assert.Equal(model.FreeEnergy(data.View), twoThreads.FreeEnergy(data.View));
        Assert.Equal(model.Estimate(data.View, 7, 3).ImportanceWeighted, twoThreads.Estimate(data.View, 7, 3).ImportanceWeighted);
        Assert.Equal(3, model.Encode(data.View).Columns);
        var reconstruction = model.Reconstruct(data.View);
        Assert.Equal(8, reconstruction.Columns);
        Assert.All(reconstruction.Data, v => Assert.InRange(v, 0f, 1f));
        var bad = data.Clone();
        bad[2, 1] = 2f;
        var ex = Assert.Throws<DataFormatException>(() => model.FreeEnergy(bad.View));
        Assert.Equal(3, ex.Row);
    }

    private static int[] Parse(string s) => s.Length == 0 ? [] : Array.ConvertAll(s.Split(','), int.Parse);
}

using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Vae;

/// <summary>Hand-written backprop against central finite differences of the same float loss.</summary>
public class VaeGradientTests
{
    private static readonly CpuBackend Backend = new(1);

    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Softplus)]
    public void ActivationDerivativeMatchesFiniteDifferences(Activation activation)
    {
        var random = new RandomStream(11, 1);
        int n = 37;
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = 6f * random.NextFloat() - 3f;
            if (MathF.Abs(x[i]) < 0.05f) x[i] = 0.5f; // keep ReLU away from its kink
        }
        var bias = new float[n];
        var post = (float[])x.Clone();
        VaeKernels.BiasActivation(post, bias, activation);
        var grad = new float[n];
        Array.Fill(grad, 1f);
        VaeKernels.ActivationBackward(grad, post, activation);
        for (int i = 0; i < n; i++)
        {
            double h = 1e-3, xp = x[i] + h, xm = x[i] - h;
            double numeric = (Reference(xp, activation) - Reference(xm, activation)) / (2 * h);
            Assert.True(Math.Abs(numeric - grad[i]) < 1e-4 + 1e-3 * Math.Abs(numeric), $"{activation} at {x[i]}: {grad[i]} vs {numeric}");
            Assert.True(Math.Abs(post[i] - Reference(x[i], activation)) < 1e-5 * (1 + Math.Abs(post[i])));
        }
    }

    private static double Reference(double x, Activation a) => a switch
    {
        Activation.Relu => Math.Max(x, 0),
        Activation.Tanh => Math.Tanh(x),
        _ => Math.Log(1 + Math.Exp(x)),
    };

    [Fact]
    public void BernoulliTermGradientMatchesFiniteDifferences()
    {
        var random = new RandomStream(5, 2);
        int d = 19;   // not a multiple of the vector width: exercises the tails
        var x = new float[d];
        var l = new float[d];
        for (int i = 0; i < d; i++) { x[i] = random.NextFloat(); l[i] = 12f * random.NextFloat() - 6f; }
        l[3] = 40f; l[4] = -40f;   // saturated logits stay finite and exact
        double Loss(float[] logits)
        {
            double s = 0;
            for (int i = 0; i < d; i++) s += Activations.Softplus((double)logits[i]) - x[i] * (double)logits[i];
            return s;
        }
        var g = (float[])l.Clone();
        double value = VaeKernels.BernoulliRow(x, g, 0.5f);
        Assert.Equal(Loss(l), value, 4);
        for (int i = 0; i < d; i++)
        {
            var p = (float[])l.Clone(); p[i] += 1e-2f;
            var m = (float[])l.Clone(); m[i] -= 1e-2f;
            double numeric = 0.5 * (Loss(p) - Loss(m)) / (p[i] - m[i]);
            Assert.True(Math.Abs(numeric - g[i]) < 1e-4 + 1e-3 * Math.Abs(numeric), $"logit {i}: {g[i]} vs {numeric}");
        }
    }

    [Fact]
    public void GaussianTermGradientMatchesFiniteDifferences()
    {
        var random = new RandomStream(6, 2);
        int d = 11;
        var x = new float[d];
        var mean = new float[d];
        var lv = new float[d];
        for (int i = 0; i < d; i++) { x[i] = 4 * random.NextFloat() - 2; mean[i] = 4 * random.NextFloat() - 2; lv[i] = 2 * random.NextFloat() - 1; }
        double Loss(float[] m, float[] logVar)
        {
            double s = 0;
            for (int i = 0; i < d; i++) s += 0.5 * (Math.Log(2 * Math.PI) + logVar[i] + (x[i] - (double)m[i]) * (x[i] - m[i]) * Math.Exp(-logVar[i]));
            return s;
        }
        var inv = new float[d];
        double lvSum = 0;
        for (int i = 0; i < d; i++) { inv[i] = MathF.Exp(-lv[i]); lvSum += lv[i]; }
        var g = (float[])mean.Clone();
        double value = VaeKernels.GaussianRow(x, g, inv, lvSum, 1f);
        Assert.Equal(Loss(mean, lv), value, 4);
        for (int i = 0; i < d; i++)
        {
            var p = (float[])mean.Clone(); p[i] += 1e-2f;
            var m = (float[])mean.Clone(); m[i] -= 1e-2f;
            double numeric = (Loss(p, lv) - Loss(m, lv)) / (p[i] - m[i]);
            Assert.True(Math.Abs(numeric - g[i]) < 1e-4 + 1e-3 * Math.Abs(numeric), $"mean {i}: {g[i]} vs {numeric}");
        }
        // The log-variance gradient lives in the workspace; the whole-loss Gaussian tests cover it.
    }

    [Theory]
    [InlineData(1f, 1f)]
    [InlineData(2f, 1.7f)]
    [InlineData(0.5f, 0.6f)]
    public void KlTermGradientMatchesFiniteDifferences(float beta, float priorScale)
    {
        var random = new RandomStream(7, 3);
        int z = 5;
        var head = new float[2 * z];
        for (int j = 0; j < 2 * z; j++) head[j] = 3 * random.NextFloat() - 1.5f;
        float weight = 1f / beta;
        double Loss(float[] h) => weight * VaeKernels.Kl(h.AsSpan(0, z), h.AsSpan(z, z), priorScale);
        var grad = new float[2 * z];
        VaeKernels.HeadBackward(head, new float[z], new float[z], grad, weight, priorScale);
        for (int j = 0; j < 2 * z; j++)
        {
            var p = (float[])head.Clone(); p[j] += 1e-2f;
            var m = (float[])head.Clone(); m[j] -= 1e-2f;
            double numeric = (Loss(p) - Loss(m)) / (p[j] - m[j]);
            Assert.True(Math.Abs(numeric - grad[j]) < 1e-4 + 2e-3 * Math.Abs(numeric), $"head {j}: {grad[j]} vs {numeric}");
        }
        // The closed form against its definition at one point: KL of N(m, s^2) to N(0, r^2) is zero when m = 0, s = r.
        var zeroMean = new float[1];
        var matched = new[] { 2 * MathF.Log(priorScale) };
        Assert.Equal(0, VaeKernels.Kl(zeroMean, matched, priorScale), 6);
    }

    public static TheoryData<Activation, VaeLikelihood, string, string> Networks() => new()
    {
        { Activation.Relu, VaeLikelihood.Bernoulli, "5", "4" },
        { Activation.Tanh, VaeLikelihood.Bernoulli, "6,4", "3,5" },
        { Activation.Softplus, VaeLikelihood.Bernoulli, "5", "" },
        { Activation.Relu, VaeLikelihood.Gaussian, "5", "4" },
        { Activation.Tanh, VaeLikelihood.Gaussian, "", "6" },
        { Activation.Softplus, VaeLikelihood.Gaussian, "4,3", "5" },
        { Activation.Tanh, VaeLikelihood.Gaussian, "", "" },   // dense layers only
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void WholeLossGradientMatchesFiniteDifferences(Activation activation, VaeLikelihood likelihood, string encoder, string decoder)
    {
        const int d = 7, z = 3, rows = 3;
        var options = new VaeTrainingOptions
        {
            LatentDimension = z,
            EncoderLayers = Parse(encoder),
            DecoderLayers = Parse(decoder),
            Activation = activation,
            Likelihood = likelihood,
            Beta = 1.5f,
            PriorScale = 1.3f,
            InitialLogVariance = -0.3f,
            Seed = 42,
        };
        var model = FreeEnergy.Models.Vae.Create(d, options);
        var theta = model.Parameters;
        var random = new RandomStream(9, 1);
        if (likelihood == VaeLikelihood.Gaussian)
            for (int i = 0; i < d; i++) theta[model.Layout.DecoderLogVarianceOffset + i] = random.NextFloat() - 0.5f;
        var ws = new VaeWorkspace(model.Layout, theta, Backend, rows, training: true) { PriorScale = model.PriorScale };
        for (int i = 0; i < rows * d; i++) ws.X[i] = likelihood == VaeLikelihood.Bernoulli ? random.NextFloat() : 3 * random.NextFloat() - 1.5f;
        var eps = new float[rows * z];
        Philox.FillGaussian(3, 4, 0, eps);
        float klWeight = 1f / model.Beta;

        double Loss()
        {
            eps.CopyTo(ws.Eps, 0);
            ws.ForwardBackward(theta, rows, klWeight);
            double s = 0;
            for (int r = 0; r < rows; r++) s += ws.Reconstruction[r] + klWeight * ws.Kl[r];
            return s / rows;
        }

        eps.CopyTo(ws.Eps, 0);
        ws.ForwardBackward(theta, rows, klWeight);
        var grad = (float[])ws.Gradient.Clone();
        int failures = 0;
        var messages = new List<string>();
        for (int p = 0; p < theta.Length; p++)
        {
            float original = theta[p];
            float h = activation == Activation.Relu ? 2e-3f : 1e-2f;
            theta[p] = original + h; double up = Loss();
            theta[p] = original - h; double down = Loss();
            theta[p] = original;
            double numeric = (up - down) / (2.0 * h);
            double tolerance = 3e-3 + 2e-2 * Math.Abs(numeric);
            if (Math.Abs(numeric - grad[p]) > tolerance)
            {
                failures++;
                if (messages.Count < 5) messages.Add($"param {p}: analytic {grad[p]}, numeric {numeric}");
            }
        }
        // ReLU may cross a kink for an occasional parameter; every smooth network must match everywhere.
        int allowed = activation == Activation.Relu ? theta.Length / 50 : 0;
        Assert.True(failures <= allowed, $"{failures} of {theta.Length} gradients differ: {string.Join("; ", messages)}");
    }

    private static int[] Parse(string s) => s.Length == 0 ? [] : Array.ConvertAll(s.Split(','), int.Parse);
}

using FreeEnergy.Compute;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Persistence;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Vae;

/// <summary>
/// <see cref="HierarchicalVae.Sample"/> against a double-precision reference computed from the model file's tensors:
/// z2 = t eps2, z1 = the mean of p(z1|z2) (or m + t e^(v/2) eps1), then the decoder's mean.
/// </summary>
public class HierarchicalVaeSamplingTests
{
    private static HierarchicalVae Model(VaeLikelihood likelihood) => HierarchicalVae.Create(7, new VaeTrainingOptions
    {
        LatentDimension = 3, UpperLatentDimension = 2, EncoderLayers = [5], UpperLayers = [4], Activation = Activation.Tanh,
        Likelihood = likelihood, InitialLogVariance = -0.3f, Seed = 9,
    });

    [Theory]
    [InlineData(VaeLikelihood.Bernoulli, false, 1f)]
    [InlineData(VaeLikelihood.Bernoulli, true, 0.7f)]
    [InlineData(VaeLikelihood.Gaussian, false, 1.3f)]
    [InlineData(VaeLikelihood.Gaussian, true, 1f)]
    public void SamplesAreTheDecodedAncestralDraws(VaeLikelihood likelihood, bool drawLower, float temperature)
    {
        const int count = 300; // more than one chunk of 256 rows
        const ulong seed = 21;
        var model = Model(likelihood);
        var doc = model.ToDocument();
        var samples = model.Sample(count, temperature, seed, drawLower);
        Assert.Equal((count, 7), (samples.Rows, samples.Columns));

        var z2 = new float[count * 2];
        Philox.FillGaussian(seed, Philox.Stream(Models.Vae.PurposeSample), 0, z2);
        var eps1 = new float[count * 3];
        Philox.FillGaussian(seed, Philox.Stream(Models.Vae.PurposeSample, 1), 0, eps1);
        for (int r = 0; r < count; r++)
        {
            var top = z2.AsSpan(r * 2, 2).ToArray().Select(v => (double)v * temperature).ToArray();
            var head = Dense(doc, "prior.head", Tanh(Dense(doc, "prior.0", top)));
            var z1 = new double[3];
            for (int j = 0; j < 3; j++) z1[j] = head[j] + (drawLower ? temperature * Math.Exp(0.5 * head[3 + j]) * eps1[r * 3 + j] : 0);
            var output = Dense(doc, "decoder.output", Tanh(Dense(doc, "decoder.0", z1)));
            for (int i = 0; i < 7; i++)
            {
                double expected = likelihood == VaeLikelihood.Bernoulli ? 1 / (1 + Math.Exp(-output[i])) : output[i];
                Assert.True(Math.Abs(samples[r, i] - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"row {r} value {i}: {samples[r, i]} vs {expected}");
            }
        }
        // The same seed gives the same samples; another seed others.
        Assert.Equal(samples.Data, model.Sample(count, temperature, seed, drawLower).Data);
        Assert.NotEqual(samples.Data, model.Sample(count, temperature, seed + 1, drawLower).Data);
    }

    private static double[] Tanh(double[] x) => x.Select(Math.Tanh).ToArray();

    /// <summary>x W + b in double from the document's "{name}.weight" [in,out] and "{name}.bias".</summary>
    private static double[] Dense(ModelDocument doc, string name, double[] x)
    {
        var bias = doc.Tensors.Single(t => t.Name == name + ".bias").Data;
        var weight = doc.Tensors.Single(t => t.Name == name + ".weight").Data;
        var y = new double[bias.Length];
        for (int o = 0; o < y.Length; o++)
        {
            double s = bias[o];
            for (int i = 0; i < x.Length; i++) s += x[i] * weight[i * y.Length + o];
            y[o] = s;
        }
        return y;
    }
}

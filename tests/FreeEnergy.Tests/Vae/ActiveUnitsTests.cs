using FreeEnergy.Compute;
using FreeEnergy.Compute.Random;
using FreeEnergy.Estimation;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Vae;

/// <summary>
/// <see cref="ActiveUnits"/> against columns of known variance, and <see cref="HierarchicalVae.EncodeUpper"/> against a
/// forward pass written out here from the parameter vector (tanh layers, z1 = mu1 + sigma1 eps1 over the fixed draws).
/// </summary>
public class ActiveUnitsTests
{
    [Fact]
    public void CountsTheColumnsWhoseMeansVaryMoreThanTheThreshold()
    {
        // Column variances (unbiased, over rows 0..3): 0, 1/120 (below 1e-2), 1/75 (above), 5/3.
        var means = new Matrix(4, 4, [
            0.5f, 0.00f, 0.0f, 1f,
            0.5f, 0.10f, 0.2f, 2f,
            0.5f, 0.00f, 0.0f, 3f,
            0.5f, 0.10f, 0.2f, 4f,
        ]);
        Assert.Equal(2, ActiveUnits.Count(means));
        Assert.Equal(3, ActiveUnits.Count(means, threshold: 1e-3));
        Assert.Equal(0, ActiveUnits.Count(means, threshold: 2));
        Assert.Throws<ArgumentException>(() => ActiveUnits.Count(new Matrix(1, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ActiveUnits.Count(means, double.NaN));
    }

    [Fact]
    public void EncodeUpperAveragesTheTopPosteriorMeanOverTheFixedDraws()
    {
        const int d = 7, rows = 5;
        var options = new VaeTrainingOptions
        {
            LatentDimension = 3, UpperLatentDimension = 2, EncoderLayers = [6], UpperLayers = [4], Activation = Activation.Tanh, ScoringSamples = 3, Seed = 4,
        };
        var model = HierarchicalVae.Create(d, options);
        var random = new RandomStream(9, 1);
        var x = new Matrix(rows, d);
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] = random.NextFloat();

        var upper = model.EncodeUpper(x.View);

        var layout = model.Layout;
        var theta = model.Parameters;
        int z1 = layout.Latent1, z2 = layout.Latent2, k = model.ScoringSamples;
        for (int r = 0; r < rows; r++)
        {
            var head1 = Chain(theta, layout.Encoder1, layout.Head1, x.Data.AsSpan(r * d, d).ToArray());
            var expected = new double[z2];
            for (int s = 0; s < k; s++)
            {
                var z = new float[z1];
                for (int j = 0; j < z1; j++) z[j] = head1[j] + MathF.Exp(0.5f * head1[z1 + j]) * model.ScoringNoiseData[s * (z1 + z2) + j];
                var head2 = Chain(theta, layout.Encoder2, layout.Head2, z);
                for (int j = 0; j < z2; j++) expected[j] += head2[j] / (double)k;
            }
            for (int j = 0; j < z2; j++) Assert.Equal(expected[j], upper[r, j], 5);
        }
        Assert.Equal(ActiveUnits.Count(upper), ActiveUnits.Count(model.EncodeUpper(x.View)));
    }

    /// <summary>tanh dense layers then a linear head; weights [In, Out] row-major at WeightOffset, biases at BiasOffset.</summary>
    private static float[] Chain(float[] theta, DenseShape[] hidden, DenseShape head, float[] input)
    {
        var h = input;
        foreach (var layer in hidden) h = Dense(theta, layer, h, tanh: true);
        return Dense(theta, head, h, tanh: false);
    }

    private static float[] Dense(float[] theta, DenseShape layer, float[] input, bool tanh)
    {
        var output = new float[layer.Out];
        for (int o = 0; o < layer.Out; o++)
        {
            double sum = theta[layer.BiasOffset + o];
            for (int i = 0; i < layer.In; i++) sum += (double)input[i] * theta[layer.WeightOffset + i * layer.Out + o];
            output[o] = tanh ? (float)Math.Tanh(sum) : (float)sum;
        }
        return output;
    }
}

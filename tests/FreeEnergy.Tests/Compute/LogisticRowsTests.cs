using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.Tests.Compute;

/// <summary>The training step's fused bias + sigmoid row pass against a double-precision reference.</summary>
public class LogisticRowsTests
{
    [Theory]
    [InlineData(1f)]
    [InlineData(0.7f)]
    public void BiasSigmoidIsTheLogisticOfTheScaledSum(float scale)
    {
        // Ordinary values, the polynomial's whole range, the scalar lanes past |z| = 87 and the tail of a 203-wide row.
        var rng = new RandomStream(17, 2);
        const int n = 203;
        var row = new float[n];
        var bias = new float[n];
        for (int i = 0; i < n; i++)
        {
            row[i] = i % 5 == 0 ? 60f * rng.NextGaussian() : 3f * rng.NextGaussian();
            bias[i] = rng.NextGaussian();
        }
        float[] extremes = [0f, -0f, 87.2f, -87.2f, 87.4f, -87.4f, 95f, -95f, 104f, -104f, 1e30f, -1e30f];
        extremes.CopyTo(row, 40);
        Array.Clear(bias, 40, extremes.Length);
        var input = (float[])row.Clone();
        LogisticRows.BiasSigmoid(row, bias, scale);
        for (int i = 0; i < n; i++)
        {
            double z = (double)((input[i] + bias[i]) * scale);
            double expected = z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
            double tolerance = 4e-7 * expected + 1e-45;
            Assert.True(Math.Abs(row[i] - expected) <= tolerance, $"element {i}: z = {z}, got {row[i]:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void AgreesWithTheLibrarySigmoidToAFewUlp()
    {
        var rng = new RandomStream(3, 9);
        var z = new float[4096];
        for (int i = 0; i < z.Length; i++) z[i] = 20f * rng.NextGaussian();
        var library = new float[z.Length];
        Activations.Sigmoid(z, library);
        var fused = (float[])z.Clone();
        LogisticRows.BiasSigmoid(fused, new float[z.Length], 1f);
        for (int i = 0; i < z.Length; i++)
            Assert.True(Math.Abs(fused[i] - library[i]) <= 3e-7f * library[i], $"z = {z[i]}: {fused[i]:R} vs {library[i]:R}");
    }
}

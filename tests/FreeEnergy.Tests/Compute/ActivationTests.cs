using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;

namespace FreeEnergy.Tests.Compute;

/// <summary>The vectorised elementwise kernels against scalar double references, including extreme inputs.</summary>
public class ActivationTests
{
    private static float[] Inputs()
    {
        var values = new List<float> { 0f, -0f, 1e-8f, -1e-8f, 0.5f, -0.5f, 1f, -1f, 15f, -15f, 17f, -17f, 30f, -30f, 88f, -88f, 89f, -89f, 100f, -100f,
            103f, -103f, 104f, -104f, 1e4f, -1e4f, 1e30f, -1e30f, float.MaxValue, float.MinValue, float.Epsilon, -float.Epsilon };
        var random = new System.Random(5);
        for (int i = 0; i < 1000; i++) values.Add((float)((random.NextDouble() * 2 - 1) * (i % 3 == 0 ? 40 : 6)));
        values.Add(3f); // odd length: exercises the scalar tail
        return values.ToArray();
    }

    // Independent softplus reference: max(x, 0) + log1p(e^-|x|) with a series for small arguments.
    private static double SoftplusReference(double x)
    {
        double t = Math.Exp(-Math.Abs(x));
        double log1p = t < 1e-4 ? t * (1 - t / 2 + t * t / 3 - t * t * t / 4) : Math.Log(1 + t);
        return Math.Max(x, 0) + log1p;
    }

    private static double SigmoidReference(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    // A few ulps relative, plus an absolute floor for results in the subnormal range.
    private static void AssertClose(double expected, float actual, string what, double relative = 5e-7)
    {
        Assert.True(float.IsFinite(actual), $"{what}: non-finite {actual}");
        Assert.True(Math.Abs(actual - expected) <= relative * Math.Abs(expected) + 1e-37, $"{what}: {actual} vs {expected}");
    }

    [Fact]
    public void SigmoidMatchesDoubleReferenceAndStaysFinite()
    {
        var x = Inputs();
        var y = new float[x.Length];
        Activations.Sigmoid(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            AssertClose(SigmoidReference(x[i]), y[i], $"sigmoid({x[i]})");
            Assert.InRange(y[i], 0f, 1f);
            AssertClose(SigmoidReference(x[i]), Activations.Sigmoid(x[i]), $"scalar sigmoid({x[i]})");
        }
    }

    [Fact]
    public void SoftplusMatchesDoubleReferenceAndStaysFinite()
    {
        var x = Inputs();
        var y = new float[x.Length];
        Activations.Softplus(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            double expected = SoftplusReference(x[i]);
            AssertClose(expected, y[i], $"softplus({x[i]})");
            Assert.True(y[i] >= 0f);
            AssertClose(expected, Activations.Softplus(x[i]), $"scalar softplus({x[i]})");
            AssertClose(expected, (float)Activations.Softplus((double)x[i]), $"double softplus({x[i]})");
        }
        Assert.Equal(1e4f, y[Array.IndexOf(x, 1e4f)]);
        Assert.Equal(float.MaxValue, y[Array.IndexOf(x, float.MaxValue)]);
    }

    [Fact]
    public void KernelsWorkInPlace()
    {
        var x = Inputs();
        var y = (float[])x.Clone();
        Activations.Softplus(y, y);
        var z = new float[x.Length];
        Activations.Softplus(x, z);
        Assert.Equal(z, y);
        y = (float[])x.Clone();
        Activations.Sigmoid(y, y);
        Activations.Sigmoid(x, z);
        Assert.Equal(z, y);
    }

    [Fact]
    public void ReluTanhAndApplyMatchReference()
    {
        var x = Inputs();
        var y = new float[x.Length];
        foreach (var activation in new[] { Activation.None, Activation.Sigmoid, Activation.Softplus, Activation.Relu, Activation.Tanh })
        {
            Activations.Apply(activation, x, y);
            for (int i = 0; i < x.Length; i++)
            {
                double expected = activation switch
                {
                    Activation.Sigmoid => SigmoidReference(x[i]),
                    Activation.Softplus => SoftplusReference(x[i]),
                    Activation.Relu => Math.Max(x[i], 0.0),
                    Activation.Tanh => Math.Tanh(x[i]),
                    _ => x[i],
                };
                AssertClose(expected, y[i], $"{activation}({x[i]})", relative: 2e-6);
            }
        }
        Assert.Throws<ArgumentException>(() => Activations.Sigmoid(new float[3], new float[2]));
    }

    [Fact]
    public void LogSumExpRowsMatchesDoubleReference()
    {
        var random = new System.Random(9);
        foreach (int columns in new[] { 1, 7, 300, 1001 })
        {
            int rows = 6;
            var matrix = new float[rows * columns];
            for (int i = 0; i < matrix.Length; i++) matrix[i] = (float)((random.NextDouble() * 2 - 1) * 50);
            // Row 1: huge values (naive exp overflows); row 2: very negative (naive underflows); row 3: all -inf.
            for (int j = 0; j < columns; j++) { matrix[columns + j] += 1e4f; matrix[2 * columns + j] -= 1e4f; matrix[3 * columns + j] = float.NegativeInfinity; }
            matrix[4 * columns] = float.NegativeInfinity; // one -inf entry is just ignored
            var result = new float[rows];
            Activations.LogSumExpRows(matrix, columns, result);
            for (int r = 0; r < rows; r++)
            {
                var row = matrix.AsSpan(r * columns, columns).ToArray();
                double max = row.Max();
                if (double.IsNegativeInfinity(max)) { Assert.Equal(float.NegativeInfinity, result[r]); continue; }
                double expected = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
                Assert.True(Math.Abs(result[r] - expected) <= 1e-6 * Math.Abs(expected) + 1e-5, $"row {r} of {columns}: {result[r]} vs {expected}");
            }
        }
    }

    [Fact]
    public void AddRowBiasAddsToEveryRow()
    {
        var matrix = new float[5 * 13];
        for (int i = 0; i < matrix.Length; i++) matrix[i] = i * 0.1f;
        var original = (float[])matrix.Clone();
        var bias = new float[13];
        for (int j = 0; j < bias.Length; j++) bias[j] = j - 6;
        Activations.AddRowBias(matrix, bias);
        for (int i = 0; i < matrix.Length; i++) Assert.Equal(original[i] + bias[i % 13], matrix[i]);
        Assert.Throws<ArgumentException>(() => Activations.AddRowBias(new float[10], new float[3]));
    }
}

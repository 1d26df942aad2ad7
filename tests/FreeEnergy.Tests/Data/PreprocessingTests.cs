using FreeEnergy.Data.Preprocessing;
using FreeEnergy.Tensors;

namespace FreeEnergy.Tests.Data;

public class PreprocessingTests
{
    private static Matrix M(int columns, params float[] values) => new(values.Length / columns, columns, values);

    [Fact]
    public void MinMaxFitsOnTrainingDataAndAppliesToOtherData()
    {
        var train = M(3, 0, 10, 5,
                         2, 20, 5,
                         4, 30, 5);
        var scaler = MinMaxScaler.Fit(train);
        Assert.Equal(new float[] { 0, 0, 0, 0.5f, 0.5f, 0, 1, 1, 0 }, scaler.Transform(train).Data);

        var other = M(3, 1, 25, 7, -2, 40, 5);
        Assert.Equal(new float[] { 0.25f, 0.75f, 0, 0, 1, 0 }, scaler.Transform(other).Data); // clipped; constant column -> 0
        scaler.Clip = false;
        var unclipped = scaler.Transform(other);
        Assert.Equal(-0.5f, unclipped[1, 0]);
        Assert.Equal(1.5f, unclipped[1, 1]);
        Assert.Equal(0f, unclipped[0, 2]);
        Assert.Equal(new float[] { 1, 25, 7, -2, 40, 5 }, other.Data); // Transform copies

        Assert.Throws<DataFormatException>(() => scaler.Transform(M(2, 1, 2)));
    }

    [Fact]
    public void StandardizerMatchesAnIndependentComputation()
    {
        var random = new Random(12);
        var data = new Matrix(200, 4);
        for (int r = 0; r < 200; r++)
        {
            data[r, 0] = (float)(random.NextDouble() * 10 - 3);
            data[r, 1] = (float)(1000 + random.NextDouble());
            data[r, 2] = 7.25f; // constant
            data[r, 3] = r % 2;
        }
        var standardizer = Standardizer.Fit(data);
        var z = standardizer.Transform(data);

        Assert.Equal(new[] { 2 }, standardizer.ConstantColumns);
        for (int c = 0; c < 4; c++)
        {
            double mean = 0, square = 0;
            for (int r = 0; r < 200; r++) mean += z[r, c];
            mean /= 200;
            for (int r = 0; r < 200; r++) square += (z[r, c] - mean) * (z[r, c] - mean);
            double std = Math.Sqrt(square / 200);
            Assert.True(Math.Abs(mean) < 1e-4, $"column {c} mean {mean}");
            if (c == 2) Assert.All(Enumerable.Range(0, 200), r => Assert.Equal(0f, z[r, c]));
            else Assert.True(Math.Abs(std - 1) < 1e-3, $"column {c} std {std}");
        }
        Assert.Equal(1f, z[1, 3]); // 0/1 column: mean 0.5, std 0.5
        Assert.Equal(-1f, z[0, 3]);
    }

    [Fact]
    public void ThresholdBinarizerUsesStrictlyGreater()
    {
        var data = M(4, 0.2f, 0.5f, 0.51f, 1f);
        Assert.Equal(new float[] { 0, 0, 1, 1 }, new ThresholdBinarizer().Transform(data).Data);
        Assert.Equal(new float[] { 0, 1, 1, 1 }, new ThresholdBinarizer { Threshold = 0.3f }.Transform(data).Data);
    }

    [Fact]
    public void StochasticBinarizerIsDeterministicAndBatchIndependent()
    {
        var data = new Matrix(50, 7);
        for (int i = 0; i < data.Data.Length; i++) data.Data[i] = (i % 11) / 10f;
        var binarizer = new StochasticBinarizer { Seed = 42 };

        var whole = binarizer.Transform(data, pass: 3);
        Assert.Equal(whole.Data, new StochasticBinarizer { Seed = 42 }.Transform(data, pass: 3).Data);
        Assert.NotEqual(whole.Data, binarizer.Transform(data, pass: 4).Data);
        Assert.NotEqual(whole.Data, new StochasticBinarizer { Seed = 43 }.Transform(data, pass: 3).Data);

        var tail = new Matrix(30, 7, data.Data[(20 * 7)..]);
        var tailBinarized = binarizer.Transform(tail, pass: 3, firstRow: 20);
        Assert.Equal(whole.Data[(20 * 7)..], tailBinarized.Data);
        for (int i = 0; i < data.Data.Length; i++)
        {
            Assert.True(whole.Data[i] is 0f or 1f);
            if (data.Data[i] == 0f) Assert.Equal(0f, whole.Data[i]);
            if (data.Data[i] == 1f) Assert.Equal(1f, whole.Data[i]);
        }
    }

    [Fact]
    public void StochasticBinarizerFiresWithTheGivenProbability()
    {
        const int n = 40000;
        const float p = 0.3f;
        var data = new Matrix(n / 8, 8);
        data.AsSpan().Fill(p);
        var result = new StochasticBinarizer { Seed = 7 }.Transform(data);
        double ones = 0;
        foreach (float v in result.Data) ones += v;
        double sigma = Math.Sqrt(n * p * (1 - p));
        Assert.InRange(ones, n * p - 5 * sigma, n * p + 5 * sigma);
    }
}

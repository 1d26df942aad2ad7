using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Rbm;

public class BinaryRowsTests
{
    private static float[] Binary(int rows, int columns, double density, ulong seed)
    {
        var rng = new RandomStream(seed, 3);
        var x = new float[rows * columns];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat() < density ? 1f : 0f;
        return x;
    }

    private static float[] Gaussian(int length, ulong seed)
    {
        var rng = new RandomStream(seed, 4);
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextGaussian();
        return x;
    }

    private static bool AvxGemm => CpuFeatures.Best == SimdLevel.Avx2;

    [Theory]
    [InlineData(13, 37, 60, 2)]     // one k block, edge columns
    [InlineData(12, 70, 800, 1)]    // three k blocks of 267 (at least 9 rows: fewer take the narrow GEMM path)
    [InlineData(21, 130, 400, 2)]   // two k blocks, two 64-column chunks plus an edge
    public void MultiplyIsTheProductWithTheBinaryRows(int rows, int n, int width, int threads)
    {
        var backend = new CpuBackend(threads);
        var x = Binary(rows, width, 0.2, (ulong)(rows + n));
        var w = Gaussian(width * n, 5);
        var binary = new BinaryRows(rows, width);
        Assert.True(binary.Collect(backend, x, 0, rows));
        var output = new float[rows * n];
        // Rows [2, rows) only, written from output row 0 (the negative-phase layout uses such an offset).
        binary.Multiply(backend, 2, rows - 2, w, n, output);
        for (int r = 2; r < rows; r++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int i = 0; i < width; i++) sum += x[r * width + i] * (double)w[i * n + j];
                Assert.True(Math.Abs(output[(r - 2) * n + j] - sum) <= 1e-4 * (1 + Math.Abs(sum)), $"({r}, {j}): {output[(r - 2) * n + j]} vs {sum}");
            }
        if (AvxGemm)
        {
            // The same k blocking and order as the AVX2 packed GEMM (used above 8 rows and columns): the same bits.
            var dense = new float[rows * n];
            backend.Gemm(Transpose.None, Transpose.None, rows - 2, n, width, 1f, x.AsSpan(2 * width), width, w, n, 0f, dense, n);
            Assert.Equal(dense.AsSpan(0, (rows - 2) * n).ToArray(), output.AsSpan(0, (rows - 2) * n).ToArray());
        }
    }

    [Theory]
    [InlineData(40, 37, 50, false)]    // one k block
    [InlineData(200, 70, 33, true)]    // one k block: two 32-column slices summed two visible units at a time, a 6-column edge, an odd unit
    [InlineData(500, 20, 70, true)]    // two k blocks of 250 rows
    public void WeightStepIsMomentumPlusTheScaledProduct(int m, int n, int width, bool updateWeights)
    {
        var backend = new CpuBackend(2);
        var x = Binary(m, width, 0.3, (ulong)m);
        var p = Gaussian(m * n, 6);
        var velocity = Gaussian(width * n, 7);
        var weights = Gaussian(width * n, 8);
        var oldVelocity = (float[])velocity.Clone();
        var oldWeights = (float[])weights.Clone();
        const float lr = 0.05f, momentum = 0.5f;
        var binary = new BinaryRows(m, width);
        Assert.True(binary.Collect(backend, x, 0, m));
        binary.WeightStep(backend, m, p, n, lr, momentum, velocity, updateWeights ? weights : null);
        for (int i = 0; i < width; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int r = 0; r < m; r++) sum += x[r * width + i] * (double)p[r * n + j];
                double expected = momentum * (double)oldVelocity[i * n + j] + lr * sum;
                Assert.True(Math.Abs(velocity[i * n + j] - expected) <= 1e-4 * (1 + Math.Abs(expected)), $"({i}, {j}): {velocity[i * n + j]} vs {expected}");
                float w = updateWeights ? oldWeights[i * n + j] + velocity[i * n + j] : oldWeights[i * n + j];
                Assert.Equal(w, weights[i * n + j]);
            }
        if (AvxGemm)
        {
            var dense = (float[])oldVelocity.Clone();
            backend.Gemm(Transpose.Transposed, Transpose.None, width, n, m, lr, x, width, p, n, momentum, dense, n);
            Assert.Equal(dense, velocity);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void WeightStepChecksTheWeightsItStores(int threads)
    {
        var backend = new CpuBackend(threads);
        const int m = 60, n = 45, width = 31;
        var x = Binary(m, width, 0.3, 11);
        var p = Gaussian(m * n, 12);
        var binary = new BinaryRows(m, width);
        Assert.True(binary.Collect(backend, x, 0, m));
        float[] Weights(float value, int at)
        {
            var w = new float[width * n];
            w[at] = value;
            return w;
        }
        // The largest new weight is about the one planted (velocity 0 plus a small step), whether it lands in a
        // vector-summed 32-column slice (index 5) or the scalar edge (column 44 of the last row).
        foreach (int at in new[] { 5, width * n - 1 })
        {
            Assert.True(binary.WeightStep(backend, m, p, n, 0.01f, 0.5f, new float[width * n], Weights(100f, at), 1000f));
            Assert.False(binary.WeightStep(backend, m, p, n, 0.01f, 0.5f, new float[width * n], Weights(100f, at), 50f));
            Assert.False(binary.WeightStep(backend, m, p, n, 0.01f, 0.5f, new float[width * n], Weights(float.NaN, at), 1000f));
            Assert.False(binary.WeightStep(backend, m, p, n, 0.01f, 0.5f, new float[width * n], Weights(float.PositiveInfinity, at), float.PositiveInfinity));
        }
        Assert.Null(binary.WeightStep(backend, m, p, n, 0.01f, 0.5f, new float[width * n], null, 1000f)); // no weights: nothing checked
    }

    [Fact]
    public void CollectRejectsNonBinaryAndDenseRows()
    {
        var backend = new CpuBackend(1);
        var x = Binary(10, 30, 0.2, 9);
        var binary = new BinaryRows(10, 30);
        Assert.True(binary.Collect(backend, x, 0, 10));
        x[7 * 30 + 29] = 0.5f;   // in the scalar tail
        Assert.False(binary.Collect(backend, x, 0, 10));
        Assert.True(binary.Collect(backend, x, 0, 7));
        x[7 * 30 + 29] = 0f;
        x[3 * 30 + 4] = -1f;     // in a vector block
        Assert.False(binary.Collect(backend, x, 0, 10));
        Assert.False(binary.Collect(backend, Binary(10, 30, 0.8, 10), 0, 10)); // denser than a dense GEMM pays for
    }

    [Fact]
    public void WideHiddenLayerTrainsTheSameOnOneAndTwoThreads()
    {
        // 340 hidden units and batches of 60: the bias gradients, the P scaling and the weight step are all split
        // between two threads (they run whole on one below a few hundred columns).
        var data = RbmTestData.DigitLike(120, 44);
        RbmTrainingOptions Options(int threads) => new()
        {
            HiddenUnits = 340, Epochs = 1, BatchSize = 60, LearningRate = 0.05f, Seed = 6, Backend = new CpuBackend(threads),
        };
        var one = RbmTrainer.TrainBernoulli(data.View, Options(1));
        var two = RbmTrainer.TrainBernoulli(data.View, Options(2));
        Assert.Equal(one.Weights, two.Weights);
        Assert.Equal(one.VisibleBias, two.VisibleBias);
        Assert.Equal(one.HiddenBias, two.HiddenBias);
    }

    [Theory]
    [InlineData("cd")]
    [InlineData("pcd")]
    public void BinaryProductsTrainLikeDenseGemm(string phase)
    {
        var data = RbmTestData.DigitLike(120, 43);
        RbmTrainingOptions Options(int threads, bool dense) => new()
        {
            HiddenUnits = 20, Epochs = 2, BatchSize = 30, LearningRate = 0.05f, Seed = 5, Backend = new CpuBackend(threads), DenseProducts = dense,
            NegativePhase = phase == "cd" ? NegativePhase.ContrastiveDivergence(1) : NegativePhase.PersistentContrastiveDivergence(2, 25),
        };
        var fast = RbmTrainer.TrainBernoulli(data.View, Options(2, false));
        var dense = RbmTrainer.TrainBernoulli(data.View, Options(2, true));
        Assert.Equal(fast.Weights, RbmTrainer.TrainBernoulli(data.View, Options(1, false)).Weights);
        if (AvxGemm)
        {
            Assert.Equal(dense.Weights, fast.Weights);
            Assert.Equal(dense.HiddenBias, fast.HiddenBias);
        }
        else
        {
            for (int i = 0; i < fast.Weights.Length; i++) Assert.True(Math.Abs(fast.Weights[i] - dense.Weights[i]) < 1e-3f);
        }
    }
}

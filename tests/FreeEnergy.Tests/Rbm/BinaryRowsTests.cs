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

    /// <summary>Panels of w [d x h] and of its transpose.</summary>
    private static (BinaryPanels Rows, BinaryPanels Columns) Panels(IComputeBackend backend, float[] w, int d, int h)
    {
        var rows = new BinaryPanels(d, h);
        var columns = new BinaryPanels(h, d);
        BinaryPanels.Pack(backend, w, d, h, rows, columns);
        return (rows, columns);
    }

    [Theory]
    [InlineData(13, 37, 60, 2)]     // one k block, a 5-column edge panel, a group of 3 rows
    [InlineData(12, 70, 800, 1)]    // three k blocks of 267 (at least 9 rows: fewer take the narrow GEMM path)
    [InlineData(21, 130, 400, 2)]   // two k blocks, a 2-column edge panel
    [InlineData(26, 64, 44, 2)]     // whole panels, width not a multiple of 8
    public void MultiplyIsTheProductWithTheBinaryRows(int rows, int n, int width, int threads)
    {
        var backend = new CpuBackend(threads);
        var x = Binary(rows, width, 0.2, (ulong)(rows + n));
        var w = Gaussian(width * n, 5);
        var binary = new BinaryRows(rows, width);
        Assert.True(binary.Collect(backend, x, 0, rows));
        var output = new float[rows * n];
        // Rows [2, rows) only, written from output row 0 (the negative-phase layout uses such an offset).
        binary.Multiply(backend, 2, rows - 2, Panels(backend, w, width, n).Rows, output);
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
    [InlineData(13, 37, 60, 2)]     // the transposed panels: 37 binary columns times W^T, W 60 x 37
    [InlineData(30, 500, 100, 2)]   // two k blocks of 250 (the hidden layer of the MNIST benchmark)
    [InlineData(9, 21, 13, 1)]      // edge tiles both ways
    public void ColumnPanelsMultiplyByTheTranspose(int rows, int hidden, int visible, int threads)
    {
        var backend = new CpuBackend(threads);
        var h = Binary(rows, hidden, 0.3, (ulong)(rows + hidden));
        var w = Gaussian(visible * hidden, 15);
        var binary = new BinaryRows(rows, hidden);
        Assert.True(binary.Collect(backend, h, 0, rows));
        var output = new float[rows * visible];
        binary.Multiply(backend, 0, rows, Panels(backend, w, visible, hidden).Columns, output);
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < visible; i++)
            {
                double sum = 0;
                for (int j = 0; j < hidden; j++) sum += h[r * hidden + j] * (double)w[i * hidden + j];
                Assert.True(Math.Abs(output[r * visible + i] - sum) <= 1e-4 * (1 + Math.Abs(sum)), $"({r}, {i}): {output[r * visible + i]} vs {sum}");
            }
        if (AvxGemm)
        {
            var dense = new float[rows * visible];
            backend.Gemm(Transpose.None, Transpose.Transposed, rows, visible, hidden, 1f, h, hidden, w, hidden, 0f, dense, visible);
            Assert.Equal(dense, output);
        }
    }

    [Theory]
    [InlineData(16, 16)]
    [InlineData(13, 21)]
    public void PanelsHoldTheMatrixAndItsTransposeWithZeroPadding(int d, int h)
    {
        var w = Gaussian(d * h, 16);
        foreach (int threads in new[] { 1, 2 })
        {
            var (rows, columns) = Panels(new CpuBackend(threads), w, d, h);
            for (int g = 0; g < rows.Count; g++)
                for (int k = 0; k <= d; k++)
                    for (int u = 0; u < 8; u++)
                    {
                        int j = 8 * g + u;
                        float expected = k < d && j < h ? w[k * h + j] : 0f;
                        Assert.Equal(expected, rows.Data[rows.Start + g * rows.PanelLength + k * 8 + u]);
                    }
            for (int g = 0; g < columns.Count; g++)
                for (int k = 0; k <= h; k++)
                    for (int u = 0; u < 8; u++)
                    {
                        int i = 8 * g + u;
                        float expected = k < h && i < d ? w[i * h + k] : 0f;
                        Assert.Equal(expected, columns.Data[columns.Start + g * columns.PanelLength + k * 8 + u]);
                    }
            Assert.Equal(0, (columns.Start * sizeof(float) + AddressOf(columns.Data)) % 64);
        }
    }

    private static unsafe long AddressOf(float[] data)
    {
        fixed (float* p = data) return (long)p;
    }

    [Theory]
    [InlineData(40, 37, 50, false, 0f)]    // one k block
    [InlineData(200, 70, 33, true, 0f)]    // one k block: two 32-column slices summed two visible units at a time, a 6-column edge, an odd unit
    [InlineData(500, 20, 70, true, 0f)]    // two k blocks of 250 rows
    [InlineData(500, 20, 70, true, 3e-3f)] // two k blocks, L2 decay
    public void WeightStepIsMomentumPlusTheScaledProduct(int m, int n, int width, bool updateWeights, float decay)
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
        binary.WeightStep(backend, m, p, BinaryRows.RowScale.None(m), n, lr, momentum, velocity, updateWeights ? weights : null, decay: decay);
        for (int i = 0; i < width; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int r = 0; r < m; r++) sum += x[r * width + i] * (double)p[r * n + j];
                double expected = momentum * (double)oldVelocity[i * n + j] + lr * sum - (updateWeights ? decay * (double)oldWeights[i * n + j] : 0);
                Assert.True(Math.Abs(velocity[i * n + j] - expected) <= 1e-4 * (1 + Math.Abs(expected)), $"({i}, {j}): {velocity[i * n + j]} vs {expected}");
                float w = updateWeights ? oldWeights[i * n + j] + velocity[i * n + j] : oldWeights[i * n + j];
                Assert.Equal(w, weights[i * n + j]);
            }
        if (AvxGemm)
        {
            var dense = (float[])oldVelocity.Clone();
            backend.Gemm(Transpose.Transposed, Transpose.None, width, n, m, lr, x, width, p, n, momentum, dense, n);
            if (updateWeights) for (int k = 0; k < dense.Length; k++) dense[k] -= oldWeights[k] * decay;
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
            Assert.True(binary.WeightStep(backend, m, p, BinaryRows.RowScale.None(m), n, 0.01f, 0.5f, new float[width * n], Weights(100f, at), 1000f));
            Assert.False(binary.WeightStep(backend, m, p, BinaryRows.RowScale.None(m), n, 0.01f, 0.5f, new float[width * n], Weights(100f, at), 50f));
            Assert.False(binary.WeightStep(backend, m, p, BinaryRows.RowScale.None(m), n, 0.01f, 0.5f, new float[width * n], Weights(float.NaN, at), 1000f));
            Assert.False(binary.WeightStep(backend, m, p, BinaryRows.RowScale.None(m), n, 0.01f, 0.5f, new float[width * n], Weights(float.PositiveInfinity, at), float.PositiveInfinity));
        }
        Assert.Null(binary.WeightStep(backend, m, p, BinaryRows.RowScale.None(m), n, 0.01f, 0.5f, new float[width * n], null, 1000f)); // no weights: nothing checked
    }

    [Theory]
    [InlineData(0.5f, 0f, 1, false)]      // momentum, no decay
    [InlineData(0.5f, 2e-3f, 2, false)]   // momentum and L2 decay
    [InlineData(0f, 2e-3f, 2, false)]     // no momentum: the velocity is only a temporary
    [InlineData(0.5f, 2e-3f, 1, true)]    // grey positive rows: dense terms first, then the binary rows
    [InlineData(0f, 0f, 2, true)]
    public void OnePassStepScalesPSumsTheBiasGradientsAndPacksThePanels(float momentum, float decay, int threads, bool grey)
    {
        // 60 positive and 50 negative rows, 45 hidden (a 13-column edge slice), 31 visible (an odd unit, an edge tile
        // and, for the grey rows' four-unit sums, a group of seven).
        const int n = 60, c = 50, m = n + c, hidden = 45, width = 31;
        const float lr = 0.05f, invN = 1f / n, invC = 1f / c;
        var backend = new CpuBackend(threads);
        var x = Binary(m, width, 0.3, 21);
        if (grey)
        {
            var rng = new RandomStream(26, 5);
            for (int k = 0; k < n * width; k++) x[k] = rng.NextFloat() < 0.6f ? 0f : rng.NextFloat(); // grey images are mostly zeros
        }
        var p = Gaussian(m * hidden, 22);
        var velocity = Gaussian(width * hidden, 23);
        var weights = Gaussian(width * hidden, 24);
        var (oldVelocity, oldWeights, oldP) = ((float[])velocity.Clone(), (float[])weights.Clone(), (float[])p.Clone());
        var binary = new BinaryRows(m, width);
        Assert.Equal(!grey, binary.Collect(backend, x, 0, m));
        Assert.True(binary.Collect(backend, x, grey ? n : 0, grey ? c : m));
        var rowPanels = new BinaryPanels(width, hidden);
        var columnPanels = new BinaryPanels(hidden, width);
        var gradA = new float[width];
        var gradB = new float[hidden];
        Assert.True(BinaryRows.OnePass(m));
        Assert.True(binary.WeightStep(backend, m, p, new BinaryRows.RowScale(n, invN, -invC), hidden, lr, momentum, velocity, weights, 1e6f, decay,
            rowPanels, columnPanels, gradA, gradB, grey ? x : null, grey ? n : 0));
        Assert.True(binary.PanelsPacked);
        Assert.Equal(oldP, p); // P is read, not scaled in place

        // The reference: P scaled in place, the bias gradients row by row, the GEMM into the velocity, then the decay and step.
        var scaled = new float[m * hidden];
        for (int r = 0; r < m; r++)
            for (int j = 0; j < hidden; j++) scaled[r * hidden + j] = oldP[r * hidden + j] * (r < n ? invN : -invC);
        var expectA = new float[width];
        var expectB = new float[hidden];
        for (int r = 0; r < m; r++)
        {
            for (int i = 0; i < width; i++) if (x[r * width + i] != 0f) expectA[i] += x[r * width + i] * (r < n ? invN : -invC);
            for (int j = 0; j < hidden; j++) expectB[j] += scaled[r * hidden + j];
        }
        Assert.Equal(expectA, gradA);
        Assert.Equal(expectB, gradB);
        var expectV = (float[])oldVelocity.Clone();
        var expectW = (float[])oldWeights.Clone();
        if (AvxGemm) backend.Gemm(Transpose.Transposed, Transpose.None, width, hidden, m, lr, x, width, scaled, hidden, momentum, expectV, hidden);
        for (int k = 0; k < expectW.Length; k++)
        {
            if (!AvxGemm)
            {
                double sum = 0;
                int i = k / hidden, j = k % hidden;
                for (int r = 0; r < m; r++) sum += x[r * width + i] * (double)scaled[r * hidden + j];
                expectV[k] = (float)(momentum * (double)oldVelocity[k] + lr * sum);
            }
            expectV[k] -= expectW[k] * decay;
            expectW[k] += expectV[k];
        }
        if (AvxGemm) Assert.Equal(expectW, weights);
        else for (int k = 0; k < expectW.Length; k++) Assert.True(Math.Abs(expectW[k] - weights[k]) <= 1e-5f * (1 + Math.Abs(expectW[k])));
        if (momentum == 0f) Assert.Equal(oldVelocity, velocity); // not stored
        else if (AvxGemm) Assert.Equal(expectV, velocity);

        // The panels hold the new weights, as a separate pack of them would.
        var (packedRows, packedColumns) = Panels(backend, weights, width, hidden);
        Assert.Equal(packedRows.Data.AsSpan(packedRows.Start, packedRows.Count * packedRows.PanelLength).ToArray(),
            rowPanels.Data.AsSpan(rowPanels.Start, rowPanels.Count * rowPanels.PanelLength).ToArray());
        Assert.Equal(packedColumns.Data.AsSpan(packedColumns.Start, packedColumns.Count * packedColumns.PanelLength).ToArray(),
            columnPanels.Data.AsSpan(columnPanels.Start, columnPanels.Count * columnPanels.PanelLength).ToArray());
    }

    [Fact]
    public void ScalingNeedsTheOnePassStep()
    {
        const int m = 400, width = 10, n = 9; // two k blocks
        var binary = new BinaryRows(m, width);
        var backend = new CpuBackend(1);
        Assert.True(binary.Collect(backend, Binary(m, width, 0.3, 25), 0, m));
        Assert.False(BinaryRows.OnePass(m));
        Assert.Throws<NotSupportedException>(() => binary.WeightStep(backend, m, new float[m * n], new BinaryRows.RowScale(200, 0.5f, -0.5f), n, 0.1f, 0.5f,
            new float[width * n], new float[width * n]));
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
    [InlineData("cd", 0.5f, 0f)]
    [InlineData("pcd", 0.5f, 0f)]
    [InlineData("cd", 0f, 0f)]       // no momentum: the binary step keeps no velocity
    [InlineData("cd", 0.5f, 1e-4f)]  // L1 decay: its own pass after the binary step
    public void BinaryProductsTrainLikeDenseGemm(string phase, float momentum, float l1)
    {
        var data = RbmTestData.DigitLike(120, 43);
        RbmTrainingOptions Options(int threads, bool dense) => new()
        {
            HiddenUnits = 20, Epochs = 2, BatchSize = 30, LearningRate = 0.05f, Seed = 5, Backend = new CpuBackend(threads), DenseProducts = dense,
            Momentum = momentum, L1WeightDecay = l1,
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

    [Fact]
    public void GreyDataTrainsLikeDenseGemm()
    {
        // Grey positive rows take the GEMM for x W and are dense terms of the one-pass weight step; the binary hidden
        // and visible samples take the panels, which that step packs.
        var data = RbmTestData.DigitLike(90, 47);
        for (int r = 0; r < data.Rows; r++)
        {
            var row = data.Row(r);
            for (int i = 0; i < row.Length; i++) row[i] = 0.1f + 0.8f * row[i];
        }
        RbmTrainingOptions Options(bool dense) => new()
        {
            HiddenUnits = 24, Epochs = 2, BatchSize = 30, LearningRate = 0.05f, Seed = 8, Backend = new CpuBackend(2), DenseProducts = dense,
            NegativePhase = NegativePhase.ContrastiveDivergence(2),
        };
        var fast = RbmTrainer.TrainBernoulli(data.View, Options(false));
        var dense = RbmTrainer.TrainBernoulli(data.View, Options(true));
        if (AvxGemm) Assert.Equal(dense.Weights, fast.Weights);
        else for (int i = 0; i < fast.Weights.Length; i++) Assert.True(Math.Abs(fast.Weights[i] - dense.Weights[i]) < 1e-3f);
    }

    [Fact]
    public void GreyRowsWithZerosTrainLikeDenseGemmOnAnyThreadCount()
    {
        // Mostly-zero grey rows (as MNIST's): the weight step skips their zero terms, which changes no sum, so the
        // model is the dense GEMM path's and the same on 1 or 2 threads. 60 visible units: every product is one k block
        // of the AVX2 and AVX-512 kernels alike, so the bits match on both.
        var data = RbmTestData.RandomBinary(90, 60, 48);
        for (int r = 0; r < data.Rows; r++)
        {
            var row = data.Row(r);
            for (int i = 0; i < row.Length; i++) row[i] = row[i] == 0f ? 0f : 0.3f + 0.6f * ((r * 7 + i * 3) % 11) / 10f;
        }
        RbmTrainingOptions Options(bool dense, int threads) => new()
        {
            HiddenUnits = 40, Epochs = 2, BatchSize = 30, LearningRate = 0.05f, Seed = 9, Backend = new CpuBackend(threads), DenseProducts = dense,
        };
        var fast = RbmTrainer.TrainBernoulli(data.View, Options(false, 2));
        Assert.Equal(fast.Weights, RbmTrainer.TrainBernoulli(data.View, Options(false, 1)).Weights);
        var dense = RbmTrainer.TrainBernoulli(data.View, Options(true, 2));
        if (CpuFeatures.Best is SimdLevel.Avx2 or SimdLevel.Avx512)
        {
            Assert.Equal(dense.Weights, fast.Weights);
            Assert.Equal(dense.VisibleBias, fast.VisibleBias);
            Assert.Equal(dense.HiddenBias, fast.HiddenBias);
        }
        else for (int i = 0; i < fast.Weights.Length; i++) Assert.True(Math.Abs(fast.Weights[i] - dense.Weights[i]) < 1e-3f);
    }
}

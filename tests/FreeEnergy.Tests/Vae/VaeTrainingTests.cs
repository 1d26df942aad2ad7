using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Training;
using VaeModel = FreeEnergy.Models.Vae;

namespace FreeEnergy.Tests.Vae;

public class VaeTrainingTests
{
    /// <summary>Binary rows from a few noisy prototypes (a learnable structure).</summary>
    internal static Matrix Prototypes(int rows, int d, ulong seed)
    {
        var random = new RandomStream(seed, 1);
        var prototypes = new float[4, d];
        for (int p = 0; p < 4; p++) for (int i = 0; i < d; i++) prototypes[p, i] = random.NextFloat() < 0.5f ? 0.9f : 0.1f;
        var m = new Matrix(rows, d);
        for (int r = 0; r < rows; r++)
        {
            int p = random.NextInt(4);
            for (int i = 0; i < d; i++) m[r, i] = random.NextFloat() < prototypes[p, i] ? 1f : 0f;
        }
        return m;
    }

    private static VaeTrainingOptions Small(ulong seed = 7) => new()
    {
        LatentDimension = 3, EncoderLayers = [16], Epochs = 3, BatchSize = 32, LearningRate = 3e-3f, Seed = seed,
    };

    [Fact]
    public void SameSeedGivesBitIdenticalWeightsOnAnyThreadCount()
    {
        var data = Prototypes(150, 12, 1);
        var a = VaeTrainer.Train(data.View, null, Small(), new CpuBackend(1));
        var b = VaeTrainer.Train(data.View, null, Small(), new CpuBackend(1));
        var c = VaeTrainer.Train(data.View, null, Small(), new CpuBackend(2));
        Assert.Equal(a.Parameters, b.Parameters);
        Assert.Equal(a.Parameters, c.Parameters);
        Assert.Equal(a.ScoringNoiseData, c.ScoringNoiseData);
        var d = VaeTrainer.Train(data.View, null, Small(seed: 8), new CpuBackend(1));
        Assert.NotEqual(a.Parameters, d.Parameters);
    }

    [Fact]
    public void TrainingLowersTheFreeEnergyAndReportsProgress()
    {
        var data = Prototypes(400, 16, 2);
        var validation = Prototypes(100, 16, 2);   // same prototypes (same seed), other rows are drawn identically; fine for a monitor
        var options = Small();
        options.Epochs = 6;
        var untrained = VaeModel.Create(16, options);
        double before = Mean(untrained.FreeEnergy(data.View));
        var reports = new List<TrainingProgress>();
        var model = VaeModel.Create(16, options);
        model.Backend = new CpuBackend(1);
        var history = VaeTrainer.Fit(model, data.View, validation.View, options, new SynchronousProgress(reports));
        Assert.Equal(6, history.Count);
        Assert.Equal(history, reports);
        Assert.All(history, h => Assert.True(double.IsFinite(h.ValidationLoss)));
        Assert.True(history[^1].TrainingLoss < history[0].TrainingLoss, "training loss did not fall");
        double after = Mean(model.FreeEnergy(data.View));
        Assert.True(after < before - 1, $"free energy {before} -> {after}");
    }

    [Fact]
    public void AbsurdLearningRateThrowsDivergedAndLeavesFiniteParameters()
    {
        var data = Prototypes(200, 12, 3);
        var options = Small();
        options.LearningRate = 1e9f;
        options.Epochs = 5;
        var model = VaeModel.Create(12, options);
        var ex = Assert.Throws<TrainingDivergedException>(() => VaeTrainer.Fit(model, data.View, null, options));
        Assert.Contains("learning rate", ex.Message);
        Assert.All(model.Parameters, p => Assert.True(float.IsFinite(p)));
        Assert.All(model.FreeEnergy(data.View), f => Assert.True(float.IsFinite(f)));
    }

    [Fact]
    public void GaussianDivergenceIsCaughtToo()
    {
        var data = Prototypes(100, 8, 4);
        var options = Small();
        options.Likelihood = VaeLikelihood.Gaussian;
        options.LearningRate = 1e9f;
        var model = VaeModel.Create(8, options);
        Assert.Throws<TrainingDivergedException>(() => VaeTrainer.Fit(model, data.View, null, options));
        Assert.All(model.Parameters, p => Assert.True(float.IsFinite(p)));
    }

    [Theory]
    [InlineData(1.5f, 3, 5)]
    [InlineData(-0.1f, 1, 1)]
    [InlineData(float.NaN, 2, 2)]
    public void BadValuesAreRejectedWithRowAndColumn(float value, int row, int column)
    {
        var data = Prototypes(10, 6, 5);
        data[row - 1, column - 1] = value;
        var ex = Assert.Throws<DataFormatException>(() => VaeTrainer.Train(data.View, null, Small()));
        Assert.Equal(row, ex.Row);
        Assert.Equal(column, ex.Column);
    }

    [Fact]
    public void GaussianLikelihoodAcceptsAnyFiniteValueButNotInfinity()
    {
        var data = Prototypes(40, 6, 6);
        data[0, 0] = 7.5f;
        var options = Small();
        options.Likelihood = VaeLikelihood.Gaussian;
        options.Epochs = 1;
        var model = VaeTrainer.Train(data.View, null, options);
        Assert.Equal(40, model.FreeEnergy(data.View).Length);
        data[2, 3] = float.PositiveInfinity;
        var ex = Assert.Throws<DataFormatException>(() => model.FreeEnergy(data.View));
        Assert.Equal(3, ex.Row);
        Assert.Equal(4, ex.Column);
    }

    [Fact]
    public void FixedGaussianVarianceStaysFixed()
    {
        var data = Prototypes(64, 6, 7);
        var options = Small();
        options.Likelihood = VaeLikelihood.Gaussian;
        options.LearnVariance = false;
        options.InitialLogVariance = -1.25f;
        options.WeightDecay = 0.1f;
        var model = VaeTrainer.Train(data.View, null, options);
        var lv = model.Parameters.AsSpan(model.Layout.DecoderLogVarianceOffset, 6).ToArray();
        Assert.All(lv, v => Assert.Equal(-1.25f, v));
        options.LearnVariance = true;
        var learned = VaeTrainer.Train(data.View, null, options);
        Assert.Contains(learned.Parameters.AsSpan(learned.Layout.DecoderLogVarianceOffset, 6).ToArray(), v => v != -1.25f);
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestValidationParameters()
    {
        var data = Prototypes(64, 10, 8);
        var validation = Prototypes(64, 10, 9);   // other prototypes: overfits quickly
        var options = Small();
        options.Epochs = 40;
        options.LearningRate = 1e-2f;
        options.EarlyStoppingPatience = 2;
        var model = VaeModel.Create(10, options);
        var history = VaeTrainer.Fit(model, data.View, validation.View, options);
        double best = double.PositiveInfinity;
        foreach (var h in history) best = Math.Min(best, h.ValidationLoss);
        Assert.Equal(best, Mean(model.FreeEnergy(validation.View)), 4);
        if (history.Count < 40) Assert.True(history[^1].ValidationLoss >= best);
    }

    [Fact]
    public void TrainingStepsDoNotAllocate()
    {
        var data = Prototypes(640, 20, 12);   // 20 batches of 32 per epoch
        long Allocated(int epochs)
        {
            var options = Small();
            options.Epochs = epochs;
            var model = VaeModel.Create(20, options);
            model.Backend = new SerialReferenceBackend();   // all work on this thread, so the counter sees it; measures the VAE, not the GEMM
            long before = GC.GetAllocatedBytesForCurrentThread();
            VaeTrainer.Fit(model, data.View, null, options);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Allocated(6);   // warm-up (JIT tiering, static state)
        long two = Allocated(2), six = Allocated(6);
        double perBatch = (six - two) / (4.0 * 20);
        Assert.True(perBatch < 64, $"{perBatch:F0} bytes allocated per batch");
    }

    [Fact]
    public void LearnedGaussianVarianceStopsAtItsFloorOnAConstantColumn()
    {
        var data = Prototypes(64, 6, 14);
        for (int r = 0; r < 64; r++) data[r, 2] = 0.25f;    // a constant column: its best variance is zero
        var options = Small();
        options.Likelihood = VaeLikelihood.Gaussian;
        options.LearningRate = 0.05f;
        options.Epochs = 60;
        options.BatchSize = 8;
        options.MinLogVariance = -4f;
        var model = VaeTrainer.Train(data.View, null, options);
        var lv = model.Parameters.AsSpan(model.Layout.DecoderLogVarianceOffset, 6).ToArray();
        Assert.All(lv, v => Assert.True(v >= -4f));
        Assert.Equal(-4f, lv[2]);
        Assert.All(model.FreeEnergy(data.View), f => Assert.True(float.IsFinite(f)));
    }

    [Fact]
    public void EarlyStoppingWithoutValidationIsRefused()
    {
        var options = Small();
        options.EarlyStoppingPatience = 2;
        Assert.Throws<ArgumentException>(() => VaeTrainer.Train(Prototypes(20, 4, 13).View, null, options));
    }

    [Fact]
    public void CancellationStopsTraining()
    {
        var data = Prototypes(64, 6, 10);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => VaeTrainer.Train(data.View, null, Small(), cancellationToken: cts.Token));
    }

    [Fact]
    public void KlWarmupChangesTheFirstEpochs()
    {
        var data = Prototypes(64, 6, 11);
        var plain = VaeTrainer.Train(data.View, null, Small());
        var options = Small();
        options.KlWarmupEpochs = 3;
        var warm = VaeTrainer.Train(data.View, null, options);
        Assert.NotEqual(plain.Parameters, warm.Parameters);
    }

    internal static double Mean(float[] v)
    {
        double s = 0;
        foreach (var x in v) s += x;
        return s / v.Length;
    }

    /// <summary>The reference GEMM and a serial loop: allocation-free, so the test sees only the VAE's own allocations.</summary>
    private sealed class SerialReferenceBackend : FreeEnergy.Compute.IComputeBackend
    {
        public string Name => "serial reference";
        public int Threads => 1;
        public void Gemm(FreeEnergy.Compute.Transpose ta, FreeEnergy.Compute.Transpose tb, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
            ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
            => ReferenceGemm.Multiply(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        public void For(int count, int grain, Action<int, int> body) { if (count > 0) body(0, count); }
    }

    private sealed class SynchronousProgress(List<TrainingProgress> sink) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => sink.Add(value);
    }
}

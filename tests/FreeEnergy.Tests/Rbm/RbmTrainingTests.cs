using FreeEnergy.Compute.Cpu;
using FreeEnergy.Estimation;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Rbm;

public class RbmTrainingTests
{
    /// <summary>The exact gradient of the mean log-likelihood w.r.t. W: mean_data v p(h|v)^T - E_model[v h^T] (enumeration).</summary>
    private static double[] ExactWeightGradient(BernoulliRbm model, Matrix data)
    {
        int d = model.Visible, h = model.Hidden;
        var g = new double[d * h];
        var enc = model.Encode(data.View);
        for (int r = 0; r < data.Rows; r++)
            for (int i = 0; i < d; i++)
                for (int j = 0; j < h; j++) g[i * h + j] += data[r, i] * enc[r, j] / data.Rows;
        var states = Matrix.FromRows(RbmTestData.AllStates(d));
        var f = model.FreeEnergy(states.View);
        double logZ = ExactLogPartition.Compute(model);
        var ph = model.Encode(states.View);
        for (int s = 0; s < states.Rows; s++)
        {
            double p = Math.Exp(-f[s] - logZ);
            for (int i = 0; i < d; i++)
                for (int j = 0; j < h; j++) g[i * h + j] -= p * states[s, i] * ph[s, j];
        }
        return g;
    }

    /// <summary>The CD-k weight gradient estimated by one plain SGD step (lr 1, no momentum) over one huge batch.</summary>
    private static double[] CdWeightGradient(BernoulliRbm model, Matrix data, int k, int copies)
    {
        var batch = new Matrix(data.Rows * copies, data.Columns);
        for (int c = 0; c < copies; c++) data.Data.CopyTo(batch.Data, c * data.Data.Length);
        var trained = (BernoulliRbm)model.Clone();
        RbmTrainer.Train(trained, batch.View, new RbmTrainingOptions
        {
            Epochs = 1, BatchSize = batch.Rows, LearningRate = 1f, Momentum = 0f, NegativePhase = NegativePhase.ContrastiveDivergence(k), Seed = 17,
        });
        return trained.Weights.Select((w, i) => (double)w - model.Weights[i]).ToArray();
    }

    [Fact]
    public void CdGradientApproachesTheExactGradientAsKGrows()
    {
        var model = RbmTestData.RandomBernoulli(5, 3, 1.5f, 31);
        var data = RbmTestData.RandomBinary(4, 5, 32);
        var exact = ExactWeightGradient(model, data);
        double Error(double[] g) => Math.Sqrt(g.Select((x, i) => (x - exact[i]) * (x - exact[i])).Sum());
        double e1 = Error(CdWeightGradient(model, data, 1, 10000));
        double e30 = Error(CdWeightGradient(model, data, 30, 10000));
        Assert.True(e30 < 0.5 * e1, $"CD-30 error {e30} should be well below CD-1 error {e1}");
        Assert.True(e30 < 0.03, $"CD-30 error {e30} should be at the sampling-noise level");
    }

    private static RbmTrainingOptions SmallOptions(int threads, NegativePhase phase) => new()
    {
        HiddenUnits = 16, Epochs = 2, BatchSize = 25, LearningRate = 0.05f, Seed = 77, NegativePhase = phase,
        L2WeightDecay = 1e-4f, Backend = new CpuBackend(threads),
    };

    public static TheoryData<string> Phases => new() { "cd", "pcd", "tap" };

    private static NegativePhase Phase(string name) => name switch
    {
        "cd" => NegativePhase.ContrastiveDivergence(2),
        "pcd" => NegativePhase.PersistentContrastiveDivergence(1, 40),
        _ => NegativePhase.Tap(2, 3, 0.5f),
    };

    [Theory]
    [MemberData(nameof(Phases))]
    public void SameSeedGivesBitIdenticalWeights(string phase)
    {
        var data = RbmTestData.DigitLike(200, 41);
        var a = RbmTrainer.TrainBernoulli(data.View, SmallOptions(2, Phase(phase)));
        var b = RbmTrainer.TrainBernoulli(data.View, SmallOptions(2, Phase(phase)));
        Assert.Equal(a.Weights, b.Weights);
        Assert.Equal(a.HiddenBias, b.HiddenBias);
        // Sampling is drawn by (seed, stream, index) and the elementwise work does not depend on the split,
        // so with a GEMM whose sums do not depend on the thread count the result is thread-count independent.
        var c = RbmTrainer.TrainBernoulli(data.View, SmallOptions(1, Phase(phase)));
        Assert.Equal(a.Weights, c.Weights);
        var other = SmallOptions(2, Phase(phase));
        other.Seed = 78;
        Assert.NotEqual(a.Weights, RbmTrainer.TrainBernoulli(data.View, other).Weights);
    }

    [Theory]
    [MemberData(nameof(Phases))]
    public void TrainingRaisesTheExactLikelihood(string phase)
    {
        // Three 10-bit prototypes with 5% flipped bits: strong correlations that a model with independent units misses.
        var protos = RbmTestData.RandomBinary(3, 10, 42);
        var rng = new FreeEnergy.Compute.Random.RandomStream(44, 0);
        var data = new Matrix(300, 10);
        for (int r = 0; r < data.Rows; r++)
        {
            int p = rng.NextInt(3);
            for (int c = 0; c < 10; c++) data[r, c] = rng.NextFloat() < 0.05f ? 1f - protos[p, c] : protos[p, c];
        }
        var options = SmallOptions(2, Phase(phase));
        options.HiddenUnits = 6;
        options.Epochs = 20;
        options.LearningRate = 0.5f; // small data, few steps: a large rate breaks the hidden units' symmetry quickly
        if (phase == "pcd")
        {
            // Persistent chains mix slowly between the prototypes: more steps per update, more chains, a gentler rate.
            options.NegativePhase = NegativePhase.PersistentContrastiveDivergence(5, 100);
            options.LearningRate = 0.3f;
        }
        var initial = RbmTrainer.CreateBernoulli(data.View, options);
        var trained = (BernoulliRbm)initial.Clone();
        RbmTrainer.Train(trained, data.View, options);
        double before = RbmLikelihood.MeanLogLikelihood(initial, data.View, ExactLogPartition.Compute(initial)).Mean;
        double after = RbmLikelihood.MeanLogLikelihood(trained, data.View, ExactLogPartition.Compute(trained)).Mean;
        Assert.True(after > before + 0.25, $"log-likelihood {before} -> {after}");
    }

    [Fact]
    public void GaussianTrainingWithLearnedSigmaStaysInRangeAndImproves()
    {
        var rng = new FreeEnergy.Compute.Random.RandomStream(5, 1);
        var data = new Matrix(400, 6);
        for (int r = 0; r < data.Rows; r++)
        {
            float z = rng.NextGaussian();
            for (int c = 0; c < 6; c++) data[r, c] = (c < 3 ? z : -z) + 0.3f * rng.NextGaussian();
        }
        // Few steps at a small rate: a constant rate lets the hidden units break their symmetry within 20 epochs.
        var options = new RbmTrainingOptions
        {
            HiddenUnits = 4, Epochs = 20, BatchSize = 20, LearningRate = 0.01f, LearnSigma = true, Seed = 3,
            NegativePhase = NegativePhase.ContrastiveDivergence(1), LearningRateSchedule = LearningRateSchedule.Constant,
        };
        var initial = RbmTrainer.CreateGaussian(data.View, options);
        var model = (GaussianRbm)initial.Clone();
        RbmTrainer.Train(model, data.View, options);
        Assert.All(model.VisibleSigma, s => Assert.InRange(s, 0.05f - 1e-6f, 10f + 1e-4f));
        double before = RbmLikelihood.MeanLogLikelihood(initial, data.View, ExactLogPartition.Compute(initial)).Mean;
        double after = RbmLikelihood.MeanLogLikelihood(model, data.View, ExactLogPartition.Compute(model)).Mean;
        Assert.True(after > before + 0.5, $"log-likelihood {before} -> {after}");
    }

    [Fact]
    public void HugeLearningRateDivergesAndLeavesFiniteParameters()
    {
        var data = RbmTestData.DigitLike(200, 43);
        var options = new RbmTrainingOptions { HiddenUnits = 10, Epochs = 5, BatchSize = 20, LearningRate = 1e30f, Seed = 1 };
        var model = RbmTrainer.CreateBernoulli(data.View, options);
        var ex = Assert.Throws<TrainingDivergedException>(() => RbmTrainer.Train(model, data.View, options));
        Assert.Contains("lower learning rate", ex.Message);
        Assert.Equal(1, ex.Epoch);
        Assert.All(model.Weights, w => Assert.True(float.IsFinite(w)));
        Assert.All(model.VisibleBias, w => Assert.True(float.IsFinite(w)));
        Assert.All(model.FreeEnergy(data.View), f => Assert.True(float.IsFinite(f)));
    }

    [Fact]
    public void ProgressEarlyStoppingAndCancellation()
    {
        var data = RbmTestData.DigitLike(300, 44);
        var valid = RbmTestData.DigitLike(100, 45);
        var reports = new List<TrainingProgress>();
        var options = new RbmTrainingOptions { HiddenUnits = 16, Epochs = 40, BatchSize = 20, LearningRate = 0.1f, ValidationData = valid, EarlyStoppingPatience = 2, LearningRateSchedule = LearningRateSchedule.Exponential };
        var result = RbmTrainer.Train(RbmTrainer.CreateBernoulli(data.View, options), data.View, options, new SyncProgress(reports));
        Assert.Equal(result.EpochsRun, reports.Count);
        Assert.All(reports, p => Assert.True(double.IsFinite(p.TrainingLoss) && double.IsFinite(p.ValidationLoss) && double.IsFinite(p.FreeEnergyGap)));
        Assert.True(reports[^1].TrainingLoss < reports[0].TrainingLoss * 1.5);
        if (result.StoppedEarly) Assert.True(result.BestEpoch < result.EpochsRun);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => RbmTrainer.TrainBernoulli(data.View, options, null, cts.Token));
    }

    [Theory]
    [InlineData(2f)]
    [InlineData(-0.5f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void BernoulliRejectsValuesOutsideTheUnitIntervalNamingRowAndColumn(float bad)
    {
        var data = RbmTestData.RandomBinary(10, 6, 46);
        data[3, 4] = bad;
        var ex = Assert.Throws<DataFormatException>(() => RbmTrainer.TrainBernoulli(data.View, new RbmTrainingOptions { HiddenUnits = 3, Epochs = 1 }));
        Assert.Equal(4, ex.Row);
        Assert.Equal(5, ex.Column);
        Assert.Contains("row 4", ex.Message);
    }

    [Fact]
    public void GaussianRejectsNaNButAcceptsConstantColumns()
    {
        var data = new Matrix(20, 3);
        for (int r = 0; r < 20; r++) { data[r, 0] = r % 3 - 1f; data[r, 1] = 2f; data[r, 2] = (r % 5) * 0.3f; }
        var model = RbmTrainer.TrainGaussian(data.View, new RbmTrainingOptions { HiddenUnits = 2, Epochs = 2, BatchSize = 5, LearningRate = 0.01f });
        Assert.All(model.Weights, w => Assert.True(float.IsFinite(w)));
        data[7, 2] = float.NaN;
        var ex = Assert.Throws<DataFormatException>(() => RbmTrainer.TrainGaussian(data.View, new RbmTrainingOptions { HiddenUnits = 2, Epochs = 1 }));
        Assert.Equal(8, ex.Row);
        Assert.Equal(3, ex.Column);
    }

    private sealed class SyncProgress(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }
}

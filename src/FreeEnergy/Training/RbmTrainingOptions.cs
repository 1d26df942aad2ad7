using FreeEnergy.Compute;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// Settings for training a Bernoulli or Gaussian RBM, with defaults that work for MNIST-sized binary data.
/// Input policy (checked before training, a <see cref="DataFormatException"/> naming row and column otherwise):
/// a Bernoulli RBM takes values in [0, 1] -- binary data or probabilities, e.g. grey levels scaled to [0, 1] --
/// and rejects everything else (negative, above 1, NaN, infinities); a Gaussian RBM takes finite values up to
/// <see cref="Models.GaussianRbm.MaxMagnitude"/> in magnitude (standardise the columns; constant columns are fine).
/// </summary>
public sealed class RbmTrainingOptions
{
    /// <summary>Number of hidden units (used when a new model is created). Default: 100.</summary>
    public int HiddenUnits { get; set; } = 100;

    /// <summary>Passes over the training data. Default: 10.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Rows per gradient step. Default: 100.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Initial learning rate. Default: 0.05 (for Gaussian RBMs 0.005 or lower is safer; TAP: 0.005).</summary>
    public float LearningRate { get; set; } = 0.05f;

    /// <summary>How the learning rate changes over epochs. Default: <see cref="Training.LearningRateSchedule.LinearDecay"/>
    /// (to <see cref="FinalLearningRateFraction"/> of the initial rate by the last epoch); on binarised MNIST it is worth
    /// tens of nats of test log-likelihood over a constant rate.</summary>
    public LearningRateSchedule LearningRateSchedule { get; set; } = LearningRateSchedule.LinearDecay;

    /// <summary>For <see cref="LearningRateSchedule.LinearDecay"/>: the last epoch's rate as a fraction of the first. Default: 0.1.</summary>
    public float FinalLearningRateFraction { get; set; } = 0.1f;

    /// <summary>For <see cref="LearningRateSchedule.Exponential"/>: factor applied after each epoch. Default: 0.95.</summary>
    public float LearningRateDecay { get; set; } = 0.95f;

    /// <summary>Momentum of the parameter updates (classical momentum). Default: 0.5, best for PCD and TAP; CD-1 does
    /// better with 0.9 (see README, "RBM quality").</summary>
    public float Momentum { get; set; } = 0.5f;

    /// <summary>L2 weight decay coefficient on W (biases are not decayed). Default: 0.0002 (Hinton's practical guide),
    /// which keeps the weights, and with them the mixing of the Gibbs chains, in check.</summary>
    public float L2WeightDecay { get; set; } = 0.0002f;

    /// <summary>L1 weight decay coefficient on W. Default: 0.</summary>
    public float L1WeightDecay { get; set; }

    /// <summary>Standard deviation of the initial Gaussian weights. Default: 0.01. Visible biases start at the data's
    /// log(p / (1 - p)) (Bernoulli, p smoothed) or column means (Gaussian); hidden biases at 0.</summary>
    public float InitialWeightScale { get; set; } = 0.01f;

    /// <summary>The negative phase. Default: <see cref="NegativePhase.PersistentContrastiveDivergence(int, int)"/> with
    /// k = 1 and one chain per batch row, the best of the three on binarised MNIST (about -84 nats of test log-likelihood against -120 for CD-1; README, "RBM quality").</summary>
    public NegativePhase NegativePhase { get; set; } = NegativePhase.PersistentContrastiveDivergence(1);

    /// <summary>Gaussian RBM only: learn the per-visible sigma (log sigma kept in [<see cref="MinLogSigma"/>, <see cref="MaxLogSigma"/>]). Default: false (sigma fixed at 1).</summary>
    public bool LearnSigma { get; set; }

    /// <summary>Lower clamp of log sigma when <see cref="LearnSigma"/> is set. Default: ln 0.05 (about -3.0).</summary>
    public float MinLogSigma { get; set; } = MathF.Log(0.05f);

    /// <summary>Upper clamp of log sigma when <see cref="LearnSigma"/> is set. Default: ln 10 (about 2.3).</summary>
    public float MaxLogSigma { get; set; } = MathF.Log(10f);

    /// <summary>Random seed (initialisation, shuffling, sampling). The same seed and thread count give bit-identical models. Default: 1.</summary>
    public ulong Seed { get; set; } = 1;

    /// <summary>Shuffle the row order every epoch. Default: true.</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>Validation rows: reported each epoch (reconstruction error, free-energy gap) and used for early stopping. Default: none.</summary>
    public Matrix? ValidationData { get; set; }

    /// <summary>Stop when the validation reconstruction error has not improved for this many epochs and restore the best
    /// parameters; 0 (default) disables early stopping. Needs <see cref="ValidationData"/>.</summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>Rows (of the training and validation sets) used for the per-epoch measurements. Default: 1000.</summary>
    public int MonitorRows { get; set; } = 1000;

    /// <summary>Parameters whose magnitude exceeds this count as diverged (as do NaN and infinities). Default: 1e6.</summary>
    public float DivergenceLimit { get; set; } = 1e6f;

    /// <summary>The compute backend; null (default) uses <see cref="Compute.Cpu.CpuBackend.Default"/>.</summary>
    public IComputeBackend? Backend { get; set; }

    /// <summary>Tests: compute every product as a dense GEMM (the binary-row path gives the same bits as the AVX2 GEMM).</summary>
    internal bool DenseProducts { get; set; }

    /// <summary>Tests: run the device-resident loop (<see cref="DeviceRbmSession"/>) on this seam, e.g. <see cref="Compute.Device.HostDeviceArrays"/>.</summary>
    internal Compute.Device.IDeviceArrays? DeviceArrays { get; set; }

    /// <summary>Training sets of at most this many floats stay on the device for the whole run; larger ones are uploaded batch by batch.</summary>
    internal long DeviceResidentFloats { get; set; } = 1L << 28;

    internal void Validate()
    {
        static void Positive(string name, double value)
        {
            if (!(value > 0) || !double.IsFinite(value)) throw new ArgumentOutOfRangeException(name, $"{name} must be positive and finite (got {value}).");
        }
        static void NonNegative(string name, double value)
        {
            if (!(value >= 0) || !double.IsFinite(value)) throw new ArgumentOutOfRangeException(name, $"{name} must be zero or positive (got {value}).");
        }
        if (HiddenUnits < 1) throw new ArgumentOutOfRangeException(nameof(HiddenUnits), "HiddenUnits must be at least 1.");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), "Epochs must be at least 1.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), "BatchSize must be at least 1.");
        Positive(nameof(LearningRate), LearningRate);
        if (!(Momentum >= 0f && Momentum < 1f)) throw new ArgumentOutOfRangeException(nameof(Momentum), "Momentum must be in [0, 1).");
        NonNegative(nameof(L2WeightDecay), L2WeightDecay);
        NonNegative(nameof(L1WeightDecay), L1WeightDecay);
        NonNegative(nameof(InitialWeightScale), InitialWeightScale);
        Positive(nameof(FinalLearningRateFraction), FinalLearningRateFraction);
        Positive(nameof(LearningRateDecay), LearningRateDecay);
        Positive(nameof(DivergenceLimit), DivergenceLimit);
        if (!(MinLogSigma < MaxLogSigma)) throw new ArgumentOutOfRangeException(nameof(MinLogSigma), "MinLogSigma must be below MaxLogSigma.");
        if (EarlyStoppingPatience < 0) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), "EarlyStoppingPatience must be zero or positive.");
        if (MonitorRows < 1) throw new ArgumentOutOfRangeException(nameof(MonitorRows), "MonitorRows must be at least 1.");
        ArgumentNullException.ThrowIfNull(NegativePhase, nameof(NegativePhase));
    }

    internal float LearningRateAt(int epoch)
    {
        return LearningRateSchedule switch
        {
            LearningRateSchedule.LinearDecay => Epochs <= 1 ? LearningRate
                : LearningRate * (1f - (1f - FinalLearningRateFraction) * epoch / (Epochs - 1)),
            LearningRateSchedule.Exponential => LearningRate * MathF.Pow(LearningRateDecay, epoch),
            _ => LearningRate,
        };
    }
}

using FreeEnergy.Compute;
using FreeEnergy.Training;

namespace Microsoft.ML.FreeEnergy;

/// <summary>Training options of the RBMs (<see cref="FreeEnergyModelKind.BernoulliRbm"/>, <see cref="FreeEnergyModelKind.GaussianRbm"/>) trained on <c>Fit</c>.</summary>
public sealed class FreeEnergyRbmOptions
{
    /// <summary>Hidden units (the width of the encoding). Default: <see cref="FreeEnergyDefaults.HiddenUnits"/>.</summary>
    public int HiddenUnits { get; set; } = FreeEnergyDefaults.HiddenUnits;

    /// <summary>Passes over the training rows. Default: <see cref="FreeEnergyDefaults.Epochs"/>.</summary>
    public int Epochs { get; set; } = FreeEnergyDefaults.Epochs;

    /// <summary>Mini-batch size. Default: <see cref="FreeEnergyDefaults.RbmBatchSize"/>.</summary>
    public int BatchSize { get; set; } = FreeEnergyDefaults.RbmBatchSize;

    /// <summary>The negative phase: CD-k, PCD-k or TAP of order 2 or 3. Default: PCD-1.</summary>
    public NegativePhase NegativePhase { get; set; } = NegativePhase.PersistentContrastiveDivergence(1);

    /// <summary>Initial learning rate; null picks the negative phase's own (<see cref="RbmDefaults.LearningRate"/>: 0.05 PCD, 0.1 CD, 0.005 TAP and Gaussian). Default: null.</summary>
    public float? LearningRate { get; set; }

    /// <summary>Momentum; null picks the negative phase's own (<see cref="RbmDefaults.Momentum"/>: 0.9 CD, else 0.5). Default: null.</summary>
    public float? Momentum { get; set; }

    /// <summary>How the rate falls over the epochs. Default: <see cref="LearningRateSchedule.LinearDecay"/> (to a tenth).</summary>
    public LearningRateSchedule LearningRateSchedule { get; set; } = LearningRateSchedule.LinearDecay;

    /// <summary>L2 weight decay. Default: <see cref="FreeEnergyDefaults.RbmL2WeightDecay"/>.</summary>
    public float L2WeightDecay { get; set; } = FreeEnergyDefaults.RbmL2WeightDecay;

    /// <summary>Gaussian RBM: learn the per-visible sigma instead of fixing it at 1 (standardise the data either way). Default: false.</summary>
    public bool LearnSigma { get; set; }

    /// <summary>The engine options for a Bernoulli (<paramref name="gaussian"/> false) or Gaussian RBM.</summary>
    internal RbmTrainingOptions ToEngine(bool gaussian, ulong seed, IComputeBackend backend) => new()
    {
        HiddenUnits = HiddenUnits,
        Epochs = Epochs,
        BatchSize = BatchSize,
        NegativePhase = NegativePhase,
        LearningRate = LearningRate ?? RbmDefaults.LearningRate(NegativePhase, gaussian),
        Momentum = Momentum ?? RbmDefaults.Momentum(NegativePhase, gaussian),
        LearningRateSchedule = LearningRateSchedule,
        L2WeightDecay = L2WeightDecay,
        LearnSigma = LearnSigma,
        Seed = seed,
        Backend = backend,
    };
}

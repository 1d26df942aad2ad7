using FreeEnergy.Compute;
using FreeEnergy.Models;

namespace FreeEnergy.Training;

/// <summary>Architecture and training settings of a <see cref="Vae"/>; every property has a documented default.</summary>
public sealed class VaeTrainingOptions
{
    /// <summary>Latent dimension Z. Default: 20.</summary>
    public int LatentDimension { get; set; } = VaeDefaults.OneLevelLatent;

    /// <summary>Encoder hidden layer widths, input side first (may be empty). Default: [400].</summary>
    public int[] EncoderLayers { get; set; } = VaeDefaults.Layers(twoLevel: false);

    /// <summary>Decoder hidden layer widths, latent side first; null (default) mirrors the encoder.</summary>
    public int[]? DecoderLayers { get; set; }

    /// <summary>Hidden-layer activation: <see cref="Activation.Relu"/>, <see cref="Activation.Tanh"/> or <see cref="Activation.Softplus"/>. Default: ReLU.</summary>
    public Activation Activation { get; set; } = Activation.Relu;

    /// <summary>Observation model. Default: Bernoulli (data in [0, 1]).</summary>
    public VaeLikelihood Likelihood { get; set; } = VaeLikelihood.Bernoulli;

    /// <summary>Gaussian likelihood: train the per-dimension log variance (true, default) or keep it at <see cref="InitialLogVariance"/>.</summary>
    public bool LearnVariance { get; set; } = true;

    /// <summary>Gaussian likelihood: the starting (or fixed) decoder log variance. Default: 0 (unit variance).</summary>
    public float InitialLogVariance { get; set; }

    /// <summary>Gaussian likelihood with a learned variance: the decoder log variance is kept at or above this value after
    /// every step (a projection; the scoring formula is unchanged), so constant columns cannot drive it to -infinity.
    /// Default: -9.2 (standard deviation about 0.01).</summary>
    public float MinLogVariance { get; set; } = -9.2f;

    /// <summary>
    /// Two-level VAE (<see cref="HierarchicalVae"/>) only: Z2, the top latent dimension (z1 has <see cref="LatentDimension"/>).
    /// Default: 0 (a one-level <see cref="Vae"/>; <see cref="HierarchicalVaeTrainer"/> needs it positive).
    /// </summary>
    public int UpperLatentDimension { get; set; }

    /// <summary>
    /// Two-level VAE only: hidden widths of the upper encoder z1 -&gt; z2 (z1 side first; the prior network z2 -&gt; z1 mirrors
    /// them); null (default) halves <see cref="EncoderLayers"/> (200,200 gives 100,100 as in Burda et al. 2016). The lower
    /// encoder x -&gt; z1 has <see cref="EncoderLayers"/> and the decoder mirrors it (<see cref="DecoderLayers"/> is not used).
    /// </summary>
    public int[]? UpperLayers { get; set; }

    /// <summary>Two-level VAE only: the top level's inverse temperature; its KL term is weighted 1/UpperBeta. Default: 1.</summary>
    public float UpperBeta { get; set; } = 1f;

    /// <summary>Inverse temperature beta; the KL term is weighted 1/beta. Default: 1.</summary>
    public float Beta { get; set; } = 1f;

    /// <summary>Prior scale r, p(z) = N(0, r^2 I). Default: 1.</summary>
    public float PriorScale { get; set; } = 1f;

    /// <summary>K, the fixed draws stored with the model for deterministic scoring. Default: 4.</summary>
    public int ScoringSamples { get; set; } = 4;

    /// <summary>Adam learning rate. Default: 1e-3.</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Adam first-moment decay. Default: 0.9.</summary>
    public float AdamBeta1 { get; set; } = 0.9f;

    /// <summary>Adam second-moment decay. Default: 0.999.</summary>
    public float AdamBeta2 { get; set; } = 0.999f;

    /// <summary>Adam epsilon. Default: 1e-8.</summary>
    public float AdamEpsilon { get; set; } = 1e-8f;

    /// <summary>L2 weight decay added to the gradient (as PyTorch's Adam does). Default: 0.</summary>
    public float WeightDecay { get; set; }

    /// <summary>
    /// k, the importance samples per row of the training objective: 1 (default) trains the ELBO (F_q with the closed-form
    /// KL term); k &gt; 1 trains the k-sample importance-weighted bound of Burda et al. (2016),
    /// -log (1/k) sum_s p(x, z_s) / q(z_s|x), whose gradient weights each draw by its normalised importance weight (with the
    /// KL weight 1/beta on the log ratio log q - log p(z)). An epoch costs about k times the ELBO's (on a GPU, device-resident like the ELBO).
    /// </summary>
    public int ImportanceSamples { get; set; } = 1;

    /// <summary>
    /// The learning-rate schedule of Burda et al. (2016): stage i = 0, 1, ... lasts 3^i epochs at
    /// <see cref="LearningRate"/> * 10^(-i/7) (the paper's 8 stages are 3,280 epochs); false (default) keeps the rate constant.
    /// </summary>
    public bool LearningRateStages { get; set; }

    /// <summary>The learning rate of an epoch (0-based) under <see cref="LearningRateStages"/>.</summary>
    internal float LearningRateAt(int epoch)
    {
        if (!LearningRateStages) return LearningRate;
        int stage = 0;
        for (long end = 1, length = 1; epoch >= end; stage++) { length *= 3; end += length; }
        return (float)(LearningRate * Math.Pow(10, -stage / 7.0));
    }

    /// <summary>
    /// Dynamic binarisation (as Burda et al. 2016 train on MNIST): every time a training row is used, each value p is
    /// replaced by a Bernoulli(p) draw, new each epoch and keyed by (<see cref="Seed"/>, epoch, row, column) so that a seed
    /// gives the same draws on any thread count, batch size or device. The values must lie in [0, 1]. Validation rows are
    /// drawn once (one fixed draw for the whole run, so that the epochs' validation free energies compare like with like).
    /// Recorded in the model file as <c>dynamic_binarization</c>. Default: false (the rows are used as given).
    /// </summary>
    public bool DynamicBinarization { get; set; }

    /// <summary>Rows per mini-batch. Default: 128.</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>Passes over the training rows. Default: 10.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>
    /// KL warm-up (Sonderby et al. 2016): the KL weight rises linearly to 1/beta over this many epochs (epoch e = 1, 2, ...
    /// uses min(1, e/N)). Default: 0 (off); the CLI and the ML.NET trainers start from <see cref="VaeDefaults.KlWarmupEpochs"/>.
    /// </summary>
    public int KlWarmupEpochs { get; set; }

    /// <summary>Stop when the validation free energy has not improved for this many epochs and restore the best
    /// parameters; 0 (default) never stops early. Needs validation rows.</summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>Seed of every random choice (initialisation, shuffling, noise, scoring draws). Default: 0.</summary>
    public ulong Seed { get; set; }

    /// <summary>Tests: run the device-resident loop (<see cref="DeviceVaeSession"/>) on this seam, e.g. <see cref="Compute.Device.HostDeviceArrays"/>.</summary>
    internal Compute.Device.IDeviceArrays? DeviceArrays { get; set; }

    internal void Validate()
    {
        static void Positive(float v, string name)
        {
            if (!(v > 0) || !float.IsFinite(v)) throw new ArgumentOutOfRangeException(name, $"{name} must be positive and finite (got {v}).");
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LatentDimension, nameof(LatentDimension));
        ArgumentNullException.ThrowIfNull(EncoderLayers, nameof(EncoderLayers));
        foreach (var h in EncoderLayers) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(h, nameof(EncoderLayers));
        if (DecoderLayers is not null) foreach (var h in DecoderLayers) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(h, nameof(DecoderLayers));
        Positive(Beta, nameof(Beta));
        Positive(UpperBeta, nameof(UpperBeta));
        ArgumentOutOfRangeException.ThrowIfNegative(UpperLatentDimension, nameof(UpperLatentDimension));
        if (UpperLayers is not null) foreach (var h in UpperLayers) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(h, nameof(UpperLayers));
        Positive(PriorScale, nameof(PriorScale));
        Positive(LearningRate, nameof(LearningRate));
        Positive(AdamEpsilon, nameof(AdamEpsilon));
        if (!(AdamBeta1 >= 0 && AdamBeta1 < 1)) throw new ArgumentOutOfRangeException(nameof(AdamBeta1), "AdamBeta1 must be in [0, 1).");
        if (!(AdamBeta2 >= 0 && AdamBeta2 < 1)) throw new ArgumentOutOfRangeException(nameof(AdamBeta2), "AdamBeta2 must be in [0, 1).");
        if (!(WeightDecay >= 0) || !float.IsFinite(WeightDecay)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), "WeightDecay must be finite and non-negative.");
        if (!float.IsFinite(InitialLogVariance)) throw new ArgumentOutOfRangeException(nameof(InitialLogVariance));
        if (Activation is not (Activation.Relu or Activation.Tanh or Activation.Softplus))
            throw new ArgumentOutOfRangeException(nameof(Activation), $"The VAE's hidden activation must be Relu, Tanh or Softplus (got {Activation}).");
        if (float.IsNaN(MinLogVariance) || float.IsPositiveInfinity(MinLogVariance)) throw new ArgumentOutOfRangeException(nameof(MinLogVariance));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ScoringSamples, nameof(ScoringSamples));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ImportanceSamples, nameof(ImportanceSamples));
        if ((long)BatchSize * ImportanceSamples > int.MaxValue / 4)
            throw new ArgumentOutOfRangeException(nameof(ImportanceSamples), $"BatchSize x ImportanceSamples ({BatchSize} x {ImportanceSamples}) is too large; lower one of them.");
        ArgumentOutOfRangeException.ThrowIfNegative(Epochs, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfNegative(KlWarmupEpochs, nameof(KlWarmupEpochs));
        ArgumentOutOfRangeException.ThrowIfNegative(EarlyStoppingPatience, nameof(EarlyStoppingPatience));
    }
}

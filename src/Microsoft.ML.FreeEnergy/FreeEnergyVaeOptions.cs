using FreeEnergy.Models;
using FreeEnergy.Training;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// Training options of the <see cref="FreeEnergyModelKind.Vae"/> and <see cref="FreeEnergyModelKind.HierarchicalVae"/> trained on
/// <c>Fit</c> (Adam on the reparameterised ELBO, or the importance-weighted bound with <see cref="ImportanceSamples"/> &gt; 1).
/// </summary>
public sealed class FreeEnergyVaeOptions
{
    /// <summary>
    /// Latent dimensions (the width of the encoding; z1 of the two-level VAE). Default: null, by depth as the command line:
    /// <see cref="FreeEnergyDefaults.LatentDimensions"/> (20) for <see cref="FreeEnergyModelKind.Vae"/>,
    /// <see cref="FreeEnergyDefaults.HierarchicalLatentDimensions"/> (100) for <see cref="FreeEnergyModelKind.HierarchicalVae"/>.
    /// </summary>
    public int? LatentDimensions { get; set; }

    /// <summary>
    /// Hidden layer widths of the encoder (between x and z1 for the two-level VAE); the decoder mirrors them. Default: null,
    /// by depth: <see cref="FreeEnergyDefaults.VaeLayers"/> (one layer of 400) or <see cref="FreeEnergyDefaults.HierarchicalVaeLayers"/> (200, 200).
    /// </summary>
    public int[]? Layers { get; set; }

    /// <summary><see cref="FreeEnergyModelKind.HierarchicalVae"/>: z2's dimensions. Default: <see cref="FreeEnergyDefaults.UpperLatentDimensions"/> (50).</summary>
    public int UpperLatentDimensions { get; set; } = FreeEnergyDefaults.UpperLatentDimensions;

    /// <summary>
    /// <see cref="FreeEnergyModelKind.HierarchicalVae"/>: hidden layer widths between z1 and z2 (the prior network mirrors them);
    /// null takes half of each of <see cref="Layers"/>. Default: null.
    /// </summary>
    public int[]? UpperLayers { get; set; }

    /// <summary>K of the importance-weighted bound trained (IWAE, Burda et al. 2016); 1 trains the ELBO. Default: 1.</summary>
    public int ImportanceSamples { get; set; } = 1;

    /// <summary>
    /// Dynamic binarisation (<see cref="VaeTrainingOptions.DynamicBinarization"/>): each training value in [0, 1] is drawn
    /// anew each epoch as a Bernoulli(value) 0 or 1 (the rows must lie in [0, 1]; with the detector's thresholding
    /// <c>Binarize</c> they are already 0/1 and this changes nothing). Default: false.
    /// </summary>
    public bool DynamicBinarization { get; set; }

    /// <summary>Passes over the training rows. Default: <see cref="FreeEnergyDefaults.Epochs"/>.</summary>
    public int Epochs { get; set; } = FreeEnergyDefaults.Epochs;

    /// <summary>Mini-batch size. Default: <see cref="FreeEnergyDefaults.VaeBatchSize"/>.</summary>
    public int BatchSize { get; set; } = FreeEnergyDefaults.VaeBatchSize;

    /// <summary>Adam's learning rate. Default: <see cref="FreeEnergyDefaults.VaeLearningRate"/>.</summary>
    public float LearningRate { get; set; } = FreeEnergyDefaults.VaeLearningRate;

    /// <summary>Bernoulli (inputs in [0, 1]) or Gaussian likelihood. Default: <see cref="VaeLikelihood.Bernoulli"/>.</summary>
    public VaeLikelihood Likelihood { get; set; } = VaeLikelihood.Bernoulli;

    /// <summary>The inverse temperature beta weighting the KL term (F_q = reconstruction + KL / beta; both levels of the two-level VAE). Default: 1.</summary>
    public float Beta { get; set; } = 1f;

    /// <summary>
    /// Epochs over which the KL weight warms up (rising linearly to 1). Default: null, the engine's measured default
    /// <see cref="VaeDefaults.KlWarmupEpochs"/>: off for <see cref="FreeEnergyModelKind.Vae"/>, the first
    /// min(<see cref="Epochs"/>, 30) epochs for <see cref="FreeEnergyModelKind.HierarchicalVae"/>; 0 turns it off.
    /// </summary>
    public int? KlWarmupEpochs { get; set; }

    /// <summary>The engine options (<paramref name="twoLevel"/>: with z2 and the upper layers).</summary>
    internal VaeTrainingOptions ToEngine(ulong seed, bool twoLevel = false) => new()
    {
        LatentDimension = LatentDimensions ?? VaeDefaults.Latent(twoLevel),
        UpperLatentDimension = twoLevel ? UpperLatentDimensions : 0,
        EncoderLayers = Layers ?? VaeDefaults.Layers(twoLevel),
        UpperLayers = twoLevel ? UpperLayers : null,
        UpperBeta = Beta,
        ImportanceSamples = ImportanceSamples,
        DynamicBinarization = DynamicBinarization,
        Epochs = Epochs,
        BatchSize = BatchSize,
        LearningRate = LearningRate,
        Likelihood = Likelihood,
        Beta = Beta,
        KlWarmupEpochs = KlWarmupEpochs ?? VaeDefaults.KlWarmupEpochs(twoLevel, Epochs),
        Seed = seed,
    };
}

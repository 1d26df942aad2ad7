using FreeEnergy.Models;
using FreeEnergy.Training;

namespace Microsoft.ML.FreeEnergy;

/// <summary>Training options of the <see cref="FreeEnergyModelKind.Vae"/> trained on <c>Fit</c> (Adam on the reparameterised ELBO).</summary>
public sealed class FreeEnergyVaeOptions
{
    /// <summary>Latent dimensions (the width of the encoding). Default: <see cref="FreeEnergyDefaults.LatentDimensions"/>.</summary>
    public int LatentDimensions { get; set; } = FreeEnergyDefaults.LatentDimensions;

    /// <summary>Hidden layer widths of the encoder; the decoder mirrors them. Default: <see cref="FreeEnergyDefaults.VaeLayers"/> (one layer of 400).</summary>
    public int[] Layers { get; set; } = FreeEnergyDefaults.VaeLayers;

    /// <summary>Passes over the training rows. Default: <see cref="FreeEnergyDefaults.Epochs"/>.</summary>
    public int Epochs { get; set; } = FreeEnergyDefaults.Epochs;

    /// <summary>Mini-batch size. Default: <see cref="FreeEnergyDefaults.VaeBatchSize"/>.</summary>
    public int BatchSize { get; set; } = FreeEnergyDefaults.VaeBatchSize;

    /// <summary>Adam's learning rate. Default: <see cref="FreeEnergyDefaults.VaeLearningRate"/>.</summary>
    public float LearningRate { get; set; } = FreeEnergyDefaults.VaeLearningRate;

    /// <summary>Bernoulli (inputs in [0, 1]) or Gaussian likelihood. Default: <see cref="VaeLikelihood.Bernoulli"/>.</summary>
    public VaeLikelihood Likelihood { get; set; } = VaeLikelihood.Bernoulli;

    /// <summary>The inverse temperature beta weighting the KL term (F_q = reconstruction + KL / beta). Default: 1.</summary>
    public float Beta { get; set; } = 1f;

    /// <summary>Epochs over which the KL weight warms up from 0. Default: 0 (off).</summary>
    public int KlWarmupEpochs { get; set; }

    /// <summary>The engine options.</summary>
    internal VaeTrainingOptions ToEngine(ulong seed) => new()
    {
        LatentDimension = LatentDimensions,
        EncoderLayers = Layers,
        Epochs = Epochs,
        BatchSize = BatchSize,
        LearningRate = LearningRate,
        Likelihood = Likelihood,
        Beta = Beta,
        KlWarmupEpochs = KlWarmupEpochs,
        Seed = seed,
    };
}

using FreeEnergy.Evaluation;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// The defaults of every FreeEnergy catalog entry and options class, in one place. The learning rate and momentum of
/// RBM training depend on the negative phase and the model (<see cref="global::FreeEnergy.Training.RbmDefaults"/>, the same
/// defaults as the <c>freeenergy</c> command line); the detector's defaults were chosen on the one-class MNIST protocol
/// (<c>build/bench.sh mlnet</c>, README "ML.NET").
/// </summary>
public static class FreeEnergyDefaults
{
    /// <summary>The model the transforms train on <c>Fit</c>: a Bernoulli RBM (inputs in [0, 1]).</summary>
    public const FreeEnergyModelKind TransformModelKind = FreeEnergyModelKind.BernoulliRbm;

    /// <summary>
    /// The model the anomaly detector trains: the two-level VAE, whose F_q (binarised, complexity-corrected) scored best on
    /// the one-class protocol (<c>build/bench.sh mlnet</c>: mean AUC 0.98845 against the one-level VAE's 0.98711 and
    /// RandomizedPca's 0.94327, higher than the one-level VAE on 8 of 10 digits; fit 1.13x as long).
    /// </summary>
    public const FreeEnergyModelKind DetectorModelKind = FreeEnergyModelKind.HierarchicalVae;

    /// <summary>RBM hidden units.</summary>
    public const int HiddenUnits = 100;

    /// <summary>VAE latent dimensions (the engine's <see cref="global::FreeEnergy.Training.VaeDefaults"/>, as the command line).</summary>
    public const int LatentDimensions = global::FreeEnergy.Training.VaeDefaults.OneLevelLatent;

    /// <summary>The two-level VAE's z1 dimensions (the IWAE paper's; as <c>freeenergy train --model vae2</c>).</summary>
    public const int HierarchicalLatentDimensions = global::FreeEnergy.Training.VaeDefaults.TwoLevelLatent;

    /// <summary>The two-level VAE's top latent dimensions (z2).</summary>
    public const int UpperLatentDimensions = global::FreeEnergy.Training.VaeDefaults.UpperLatent;

    /// <summary>Epochs of training on <c>Fit</c> (both model families).</summary>
    public const int Epochs = 30;

    /// <summary>RBM mini-batch size.</summary>
    public const int RbmBatchSize = 100;

    /// <summary>VAE mini-batch size.</summary>
    public const int VaeBatchSize = 128;

    /// <summary>VAE Adam learning rate.</summary>
    public const float VaeLearningRate = 1e-3f;

    /// <summary>RBM L2 weight decay.</summary>
    public const float RbmL2WeightDecay = 2e-4f;

    /// <summary>How the detector's threshold is calibrated: a false positive rate on the (normal) training rows.</summary>
    public const ThresholdMethod ThresholdMethod = global::FreeEnergy.Evaluation.ThresholdMethod.FalsePositiveRate;

    /// <summary>The detector's target false positive rate (or contamination).</summary>
    public const double Rate = 0.05;

    /// <summary>The detector's input column.</summary>
    public const string FeatureColumnName = "Features";

    /// <summary>The VAE's hidden layer widths (encoder; the decoder mirrors them).</summary>
    public static int[] VaeLayers => global::FreeEnergy.Training.VaeDefaults.Layers(twoLevel: false);

    /// <summary>The two-level VAE's hidden widths between x and z1 (those between z1 and z2 are half of them).</summary>
    public static int[] HierarchicalVaeLayers => global::FreeEnergy.Training.VaeDefaults.Layers(twoLevel: true);
}

namespace Microsoft.ML.FreeEnergy;

/// <summary>Which model an estimator trains on <c>Fit</c> when it is not given a trained one.</summary>
public enum FreeEnergyModelKind
{
    /// <summary>A Bernoulli RBM (inputs in [0, 1]); trained with <see cref="FreeEnergyTransformOptions.Rbm"/>.</summary>
    BernoulliRbm,

    /// <summary>A Gaussian-Bernoulli RBM (real inputs, best standardised); trained with <see cref="FreeEnergyTransformOptions.Rbm"/>.</summary>
    GaussianRbm,

    /// <summary>A variational autoencoder; trained with <see cref="FreeEnergyTransformOptions.Vae"/>.</summary>
    Vae,

    /// <summary>
    /// A two-level variational autoencoder x &lt;- z1 &lt;- z2 with the learned prior p(z1|z2) (<c>HierarchicalVae</c>); trained with
    /// <see cref="FreeEnergyTransformOptions.Vae"/> (z1 of <see cref="FreeEnergyVaeOptions.LatentDimensions"/> and z2 of
    /// <see cref="FreeEnergyVaeOptions.UpperLatentDimensions"/> dimensions). Encodes to the mean of q(z1|x).
    /// </summary>
    HierarchicalVae,
}

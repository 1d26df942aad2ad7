namespace FreeEnergy.Models;

/// <summary>The model kind names recorded in model files and ONNX metadata.</summary>
public static class ModelKinds
{
    /// <summary>Bernoulli-Bernoulli restricted Boltzmann machine.</summary>
    public const string BernoulliRbm = "bernoulli-rbm";

    /// <summary>Gaussian-Bernoulli restricted Boltzmann machine.</summary>
    public const string GaussianRbm = "gaussian-rbm";

    /// <summary>Variational autoencoder.</summary>
    public const string Vae = "vae";

    /// <summary>Two-level (hierarchical) variational autoencoder x &lt;- z1 &lt;- z2 with a learned prior p(z1|z2).</summary>
    public const string HierarchicalVae = "hierarchical-vae";
}

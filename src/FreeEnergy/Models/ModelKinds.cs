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
}

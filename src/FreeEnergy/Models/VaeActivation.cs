namespace FreeEnergy.Models;

/// <summary>The activation applied after every hidden dense layer of a <see cref="Vae"/>.</summary>
public enum VaeActivation
{
    /// <summary>max(0, x).</summary>
    Relu,

    /// <summary>tanh(x).</summary>
    Tanh,

    /// <summary>log(1 + e^x), computed stably.</summary>
    Softplus,
}

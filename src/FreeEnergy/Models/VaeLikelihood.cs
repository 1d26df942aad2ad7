namespace FreeEnergy.Models;

/// <summary>The decoder's observation model p(x|z) of a <see cref="Vae"/>.</summary>
public enum VaeLikelihood
{
    /// <summary>Independent Bernoulli pixels with decoder logits l: log p(x|z) = sum_i x_i l_i - softplus(l_i); x in [0, 1].</summary>
    Bernoulli,

    /// <summary>Independent Gaussians with decoder mean m and a per-dimension log variance vector (learned or fixed).</summary>
    Gaussian,
}

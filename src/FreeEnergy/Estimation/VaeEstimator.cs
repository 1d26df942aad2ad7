namespace FreeEnergy.Estimation;

/// <summary>Which estimate of -log p(x) a VAE score reports.</summary>
public enum VaeEstimator
{
    /// <summary>The variational free energy F_q (negative ELBO, with the closed-form KL weighted 1/beta).</summary>
    Elbo,

    /// <summary>The importance-weighted estimate -logmeanexp_k[log p(x|z_k) + log p(z_k) - log q(z_k|x)].</summary>
    Iwae,

    /// <summary>The second-order cumulant-corrected estimate k1 - k2/2 of V = log q - log p(x, z).</summary>
    Cumulant,
}

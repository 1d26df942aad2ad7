namespace FreeEnergy.Onnx.Graphs;

/// <summary>Graph pieces of diagonal Gaussian latents shared by the VAE graphs: the reparameterised draw and the closed-form KL.</summary>
internal static class GaussianGraphTerms
{
    /// <summary>z = mu + exp(logvar / 2) * eps, broadcasting (e.g. [N,1,Z] with eps [K,Z] gives [N,K,Z]).</summary>
    public static string Reparameterize(GraphBuilder g, string mean, string logVariance, string noise)
        => g.Add(mean, g.Mul(g.Exp(g.Mul(logVariance, g.Scalar(0.5f))), noise));

    /// <summary>
    /// KL(N(mu, e^logvar) || N(0, r^2 I)) summed over <paramref name="axis"/> of <paramref name="latent"/> dimensions:
    /// sum_z log r - logvar/2 + (mu^2 + e^logvar) / (2 r^2) - 1/2.
    /// </summary>
    public static string KlToCentredNormal(GraphBuilder g, string mean, string logVariance, double priorScale, int latent, long axis)
    {
        double r = priorScale;
        string perDimension = g.Sub(
            g.Mul(g.Add(g.Mul(mean, mean), g.Exp(logVariance)), g.Scalar((float)(1.0 / (2 * r * r)))),
            g.Mul(logVariance, g.Scalar(0.5f)));
        return g.Add(g.ReduceSum(perDimension, axis), g.Scalar((float)(latent * (Math.Log(r) - 0.5))));
    }

    /// <summary>[.., 2Z] split on its last axis (<paramref name="axis"/>) into the halves [.., Z]: mean, then log variance (a head's layout).</summary>
    public static (string Mean, string LogVariance) SplitHead(GraphBuilder g, string head, int latent, long axis)
        => (g.Slice(head, [0], [latent], [axis]), g.Slice(head, [latent], [2 * latent], [axis]));
}

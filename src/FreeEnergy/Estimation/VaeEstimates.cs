namespace FreeEnergy.Estimation;

/// <summary>
/// Per-row estimates of -log p(x) (nats) from one set of K draws z_k ~ q(z|x). With V = log q(z|x) - log p(x, z)
/// and its sample cumulants k1 (mean), k2 (unbiased variance) and k3 (unbiased third central moment).
/// The IWAE and cumulant estimates concern the generative model p(x, z) = p(x|z) p(z) and so do not involve beta;
/// F_q weights its KL term by 1/beta like the training objective (all coincide in meaning at beta = 1).
/// </summary>
/// <param name="FreeEnergy">F_q = (1/K) sum_k -log p(x|z_k) + (1/beta) KL (closed form); an upper bound on -log p(x) at beta = 1.</param>
/// <param name="ImportanceWeighted">-log (1/K) sum_k e^{-V_k}; an upper bound in expectation that tightens as K grows.</param>
/// <param name="CumulantSecondOrder">k1 - k2/2 (not a bound).</param>
/// <param name="CumulantThirdOrder">k1 - k2/2 + k3/6 (not a bound).</param>
/// <param name="Samples">K.</param>
public sealed record VaeEstimates(float[] FreeEnergy, float[] ImportanceWeighted, float[] CumulantSecondOrder, float[] CumulantThirdOrder, int Samples)
{
    /// <summary>The column of <paramref name="estimator"/>: F_q, IWAE, or the second-order cumulant estimate.</summary>
    public float[] Of(VaeEstimator estimator) => estimator switch
    {
        VaeEstimator.Elbo => FreeEnergy,
        VaeEstimator.Iwae => ImportanceWeighted,
        VaeEstimator.Cumulant => CumulantSecondOrder,
        _ => throw new ArgumentOutOfRangeException(nameof(estimator)),
    };
}

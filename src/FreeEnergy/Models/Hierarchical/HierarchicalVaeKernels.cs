using System.Numerics.Tensors;

namespace FreeEnergy.Models;

/// <summary>
/// Row kernels of the two-level VAE's middle level: the Monte-Carlo log ratio log q(z1|x) - log p(z1|z2) of two diagonal
/// Gaussians and its reparameterised gradients (z1 = mu1 + e^(lv1/2) eps1; p(z1|z2) = N(m, e^v) from the prior network).
/// The exponentials of a pair's latents are taken together (vectorised), the rest per latent.
/// </summary>
internal static class HierarchicalVaeKernels
{
    /// <summary>Latents up to which <see cref="LogRatio"/> keeps its scratch on the stack (wider ones, rare, allocate).</summary>
    private const int StackLatents = 1024;

    /// <summary>
    /// sum_j [-lv1_j/2 - eps1_j^2/2] - [-v_j/2 - (z1_j - m_j)^2 e^-v_j / 2] (the 2 pi terms cancel), with
    /// <paramref name="priorHead"/> = [m | v].
    /// </summary>
    public static double LogRatio(ReadOnlySpan<float> z1, ReadOnlySpan<float> logVariance1, ReadOnlySpan<float> eps1, ReadOnlySpan<float> priorHead)
    {
        int n = z1.Length;
        Span<float> inverseVariance = n <= StackLatents ? stackalloc float[n] : new float[n];
        ExpScaled(priorHead.Slice(n, n), -1f, inverseVariance);
        double s = 0;
        for (int j = 0; j < n; j++)
        {
            double e = eps1[j], d = (double)z1[j] - priorHead[j], v = priorHead[n + j];
            s += -0.5 * logVariance1[j] - 0.5 * e * e + 0.5 * v + 0.5 * d * d * inverseVariance[j];
        }
        return s;
    }

    /// <summary>
    /// The gradient of <paramref name="weight"/> * (-log p(z1|z2)): into <paramref name="priorHeadGrad"/> d/dm = -w (z1 - m) e^-v and
    /// d/dv = w (1 - (z1 - m)^2 e^-v) / 2, and w (z1 - m) e^-v added to <paramref name="z1Grad"/>.
    /// </summary>
    public static void PriorBackward(ReadOnlySpan<float> z1, ReadOnlySpan<float> priorHead, float weight, Span<float> priorHeadGrad, Span<float> z1Grad)
    {
        int n = z1.Length;
        // e^-v first, in the log-variance half of the gradient, which each latent then overwrites.
        var inverseVariance = priorHeadGrad.Slice(n, n);
        ExpScaled(priorHead.Slice(n, n), -1f, inverseVariance);
        for (int j = 0; j < n; j++)
        {
            float d = z1[j] - priorHead[j];
            float g = weight * d * inverseVariance[j];
            priorHeadGrad[j] = -g;
            priorHeadGrad[n + j] = 0.5f * (weight - d * g);
            z1Grad[j] += g;
        }
    }

    /// <summary>
    /// q(z1|x)'s head gradient from the total dL/dz1 and the weight of its log q term (whose only dependence, at fixed eps1,
    /// is -lv1/2): dmu1 = dz1, dlv1 = dz1 eps1 e^(lv1/2) / 2 - weight / 2.
    /// </summary>
    public static void PosteriorHeadBackward(ReadOnlySpan<float> head, ReadOnlySpan<float> eps, ReadOnlySpan<float> z1Grad, float weight, Span<float> headGrad)
    {
        int n = z1Grad.Length;
        z1Grad.CopyTo(headGrad[..n]);
        var sigma = headGrad.Slice(n, n);
        ExpScaled(head.Slice(n, n), 0.5f, sigma);
        for (int j = 0; j < n; j++) sigma[j] = 0.5f * z1Grad[j] * eps[j] * sigma[j] - 0.5f * weight;
    }

    /// <summary>result = e^(factor x), vectorised.</summary>
    private static void ExpScaled(ReadOnlySpan<float> x, float factor, Span<float> result)
    {
        TensorPrimitives.Multiply(x, factor, result);
        TensorPrimitives.Exp(result, result);
    }
}

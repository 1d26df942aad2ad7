using System.Numerics.Tensors;

namespace FreeEnergy.Models;

/// <summary>
/// Row kernels of the two-level VAE's middle level: the Monte-Carlo log ratio log q(z1|x) - log p(z1|z2) of two diagonal
/// Gaussians and its reparameterised gradients (z1 = mu1 + e^(lv1/2) eps1; p(z1|z2) = N(m, e^v) from the prior network).
/// The exponentials of each block of up to <see cref="Block"/> latents are taken together (vectorised), the rest per latent.
/// </summary>
internal static class HierarchicalVaeKernels
{
    private const int Block = 256;

    /// <summary>
    /// sum_j [-lv1_j/2 - eps1_j^2/2] - [-v_j/2 - (z1_j - m_j)^2 e^-v_j / 2] (the 2 pi terms cancel), with
    /// <paramref name="priorHead"/> = [m | v].
    /// </summary>
    public static double LogRatio(ReadOnlySpan<float> z1, ReadOnlySpan<float> logVariance1, ReadOnlySpan<float> eps1, ReadOnlySpan<float> priorHead)
    {
        int n = z1.Length;
        Span<float> inverseVariance = stackalloc float[Math.Min(n, Block)];
        double s = 0;
        for (int start = 0; start < n; start += Block)
        {
            int count = Math.Min(Block, n - start);
            var iv = inverseVariance[..count];
            ExpScaled(priorHead.Slice(n + start, count), -1f, iv);
            for (int i = 0; i < count; i++)
            {
                int j = start + i;
                double e = eps1[j], d = (double)z1[j] - priorHead[j], v = priorHead[n + j];
                s += -0.5 * logVariance1[j] - 0.5 * e * e + 0.5 * v + 0.5 * d * d * iv[i];
            }
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
        Span<float> inverseVariance = stackalloc float[Math.Min(n, Block)];
        for (int start = 0; start < n; start += Block)
        {
            int count = Math.Min(Block, n - start);
            var iv = inverseVariance[..count];
            ExpScaled(priorHead.Slice(n + start, count), -1f, iv);
            for (int i = 0; i < count; i++)
            {
                int j = start + i;
                float d = z1[j] - priorHead[j];
                float g = weight * d * iv[i];
                priorHeadGrad[j] = -g;
                priorHeadGrad[n + j] = 0.5f * (weight - d * g);
                z1Grad[j] += g;
            }
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
        for (int start = 0; start < n; start += Block)
        {
            int count = Math.Min(Block, n - start);
            var sigma = headGrad.Slice(n + start, count);
            ExpScaled(head.Slice(n + start, count), 0.5f, sigma);
            for (int i = 0; i < count; i++)
            {
                int j = start + i;
                sigma[i] = 0.5f * z1Grad[j] * eps[j] * sigma[i] - 0.5f * weight;
            }
        }
    }

    /// <summary>result = e^(factor x), vectorised.</summary>
    private static void ExpScaled(ReadOnlySpan<float> x, float factor, Span<float> result)
    {
        TensorPrimitives.Multiply(x, factor, result);
        TensorPrimitives.Exp(result, result);
    }
}

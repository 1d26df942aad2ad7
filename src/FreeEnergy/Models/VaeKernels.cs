using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using FreeEnergy.Compute;

namespace FreeEnergy.Models;

/// <summary>
/// Row kernels of the VAE: fused bias + activation, activation derivatives, the two likelihood terms with
/// their gradients, and the closed-form KL term. Each works on one row (a span that stays in L1), using
/// TensorPrimitives for the transcendental functions and Vector&lt;float&gt; for the rest.
/// </summary>
internal static class VaeKernels
{
    private const int Block = 256;
    public const double HalfLogTwoPi = 0.91893853320467274178;

    /// <summary>row = act(row + bias) for the VAE's activations and <see cref="Activation.None"/>.</summary>
    public static void BiasActivation(Span<float> row, ReadOnlySpan<float> bias, Activation activation)
    {
        TensorPrimitives.Add(row, bias, row);
        switch (activation)
        {
            case Activation.None: break;
            case Activation.Relu: TensorPrimitives.Max(row, 0f, row); break;
            case Activation.Tanh: TensorPrimitives.Tanh(row, row); break;
            default: Softplus(row); break;
        }
    }

    /// <summary>Stable softplus in place: max(x, 0) + log(1 + e^-|x|).</summary>
    public static void Softplus(Span<float> row)
    {
        Span<float> t = stackalloc float[Block];
        for (int start = 0; start < row.Length; start += Block)
        {
            int n = Math.Min(Block, row.Length - start);
            var x = row.Slice(start, n);
            var u = t[..n];
            TensorPrimitives.Abs(x, u);
            TensorPrimitives.Negate(u, u);
            TensorPrimitives.Exp(u, u);
            TensorPrimitives.Add(u, 1f, u);
            TensorPrimitives.Log(u, u);
            TensorPrimitives.Max(x, 0f, x);
            TensorPrimitives.Add(x, u, x);
        }
    }

    /// <summary>
    /// grad = grad * act'(pre), written from the activation's output <paramref name="post"/>:
    /// ReLU 1[post &gt; 0], tanh 1 - post^2, softplus sigmoid(pre) = 1 - e^-post, none 1.
    /// </summary>
    public static void ActivationBackward(Span<float> grad, ReadOnlySpan<float> post, Activation activation)
    {
        int i = 0, w = Vector<float>.Count;
        switch (activation)
        {
            case Activation.None: break;
            case Activation.Relu:
                for (; i <= grad.Length - w; i += w)
                {
                    var p = new Vector<float>(post[i..]);
                    var g = new Vector<float>(grad[i..]);
                    Vector.ConditionalSelect(Vector.GreaterThan(p, Vector<float>.Zero), g, Vector<float>.Zero).CopyTo(grad[i..]);
                }
                for (; i < grad.Length; i++) if (!(post[i] > 0f)) grad[i] = 0f;
                break;
            case Activation.Tanh:
                for (; i <= grad.Length - w; i += w)
                {
                    var p = new Vector<float>(post[i..]);
                    (new Vector<float>(grad[i..]) * (Vector<float>.One - p * p)).CopyTo(grad[i..]);
                }
                for (; i < grad.Length; i++) grad[i] *= 1f - post[i] * post[i];
                break;
            default:
                Span<float> t = stackalloc float[Block];
                for (int start = 0; start < grad.Length; start += Block)
                {
                    int n = Math.Min(Block, grad.Length - start);
                    var u = t[..n];
                    TensorPrimitives.Negate(post.Slice(start, n), u);
                    TensorPrimitives.Exp(u, u);
                    TensorPrimitives.Subtract(1f, u, u);
                    TensorPrimitives.Multiply(grad.Slice(start, n), u, grad.Slice(start, n));
                }
                break;
        }
    }

    /// <summary>
    /// Bernoulli term of one row: returns -log p(x|z) = sum_i softplus(l_i) - x_i l_i (double accumulation) and
    /// overwrites the logits with scale * (sigmoid(l_i) - x_i), the gradient of scale * (-log p) in the logits.
    /// </summary>
    public static double BernoulliRow(ReadOnlySpan<float> x, Span<float> logits, float scale)
    {
        Span<float> buffer = stackalloc float[2 * Block];
        double total = 0;
        int w = Vector<float>.Count;
        for (int start = 0; start < logits.Length; start += Block)
        {
            int n = Math.Min(Block, logits.Length - start);
            var l = logits.Slice(start, n);
            var xs = x.Slice(start, n);
            var u = buffer[..n];
            var s = buffer.Slice(Block, n);
            int i = 0;
            for (; i <= n - w; i += w) (-Vector.Abs(new Vector<float>(l[i..]))).CopyTo(u[i..]);
            for (; i < n; i++) u[i] = -MathF.Abs(l[i]);
            TensorPrimitives.Exp(u, u);          // u = e^-|l|
            var vs = new Vector<float>(scale);
            var sum = Vector<float>.Zero;
            i = 0;
            for (; i <= n - w; i += w)
            {
                var lv = new Vector<float>(l[i..]);
                var xv = new Vector<float>(xs[i..]);
                var uv = new Vector<float>(u[i..]);
                var sv = Vector<float>.One + uv;    // s = 1 + u
                sv.CopyTo(s[i..]);
                var sig = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(lv, Vector<float>.Zero), Vector<float>.One, uv) / sv;
                sum += Vector.Max(lv, Vector<float>.Zero) - xv * lv;
                (vs * (sig - xv)).CopyTo(l[i..]);
            }
            float tail = 0f;
            for (; i < n; i++)
            {
                s[i] = 1f + u[i];
                float lv = l[i], sig = (lv >= 0f ? 1f : u[i]) / s[i];
                tail += MathF.Max(lv, 0f) - xs[i] * lv;
                l[i] = scale * (sig - xs[i]);
            }
            TensorPrimitives.Log(s, s);          // log(1 + e^-|l|)
            total += (double)Vector.Sum(sum) + tail + TensorPrimitives.Sum(s);
        }
        return total;
    }

    /// <summary>
    /// Gaussian term of one row with inverse variances <paramref name="inverseVariance"/> = e^-lv: returns
    /// -log p(x|z) = sum_i (log 2pi + lv_i + (x_i - m_i)^2 e^-lv_i) / 2 (the caller adds <paramref name="logVarianceSum"/> = sum lv)
    /// and overwrites the means with scale * (m_i - x_i) e^-lv_i.
    /// </summary>
    public static double GaussianRow(ReadOnlySpan<float> x, Span<float> mean, ReadOnlySpan<float> inverseVariance, double logVarianceSum, float scale)
    {
        int i = 0, w = Vector<float>.Count;
        var sum = Vector<float>.Zero;
        var vs = new Vector<float>(scale);
        for (; i <= mean.Length - w; i += w)
        {
            var d = new Vector<float>(mean[i..]) - new Vector<float>(x[i..]);
            var iv = new Vector<float>(inverseVariance[i..]);
            var di = d * iv;
            sum += d * di;
            (vs * di).CopyTo(mean[i..]);
        }
        double total = Vector.Sum(sum);
        for (; i < mean.Length; i++)
        {
            float d = mean[i] - x[i], di = d * inverseVariance[i];
            total += d * di;
            mean[i] = scale * di;
        }
        return 0.5 * (total + logVarianceSum) + HalfLogTwoPi * mean.Length;
    }

    /// <summary>Closed-form KL(N(mu, e^lv) || N(0, r^2)) summed over latent dimensions.</summary>
    public static double Kl(ReadOnlySpan<float> mu, ReadOnlySpan<float> logVariance, float priorScale)
    {
        double r2 = (double)priorScale * priorScale, logR = Math.Log(priorScale), kl = 0;
        for (int j = 0; j < mu.Length; j++)
        {
            double m = mu[j], lv = logVariance[j];
            kl += logR - 0.5 * lv + (m * m + Math.Exp(lv)) / (2 * r2) - 0.5;
        }
        return kl;
    }

    /// <summary>sum_j log q(z_j|x) - log p(z_j) for z = mu + e^(lv/2) eps (the 2pi terms cancel).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double LogRatio(ReadOnlySpan<float> z, ReadOnlySpan<float> logVariance, ReadOnlySpan<float> eps, float priorScale)
    {
        double r2 = (double)priorScale * priorScale, logR = Math.Log(priorScale), s = 0;
        for (int j = 0; j < z.Length; j++)
        {
            double e = eps[j], zj = z[j];
            s += -0.5 * logVariance[j] - 0.5 * e * e + logR + zj * zj / (2 * r2);
        }
        return s;
    }

    /// <summary>
    /// Head backward for one row: from dL/dz and the KL weight (already including the batch scale), writes
    /// dL/dmu = dz + w mu / r^2 and dL/dlv = dz eps e^(lv/2) / 2 + w (e^lv / r^2 - 1) / 2.
    /// </summary>
    public static void HeadBackward(ReadOnlySpan<float> head, ReadOnlySpan<float> eps, ReadOnlySpan<float> dz, Span<float> headGrad, float klWeight, float priorScale)
    {
        int z = dz.Length;
        float inv = 1f / (priorScale * priorScale);
        for (int j = 0; j < z; j++)
        {
            float m = head[j], lv = head[z + j];
            float sigma = MathF.Exp(0.5f * lv);
            headGrad[j] = dz[j] + klWeight * m * inv;
            headGrad[z + j] = 0.5f * dz[j] * eps[j] * sigma + 0.5f * klWeight * (sigma * sigma * inv - 1f);
        }
    }

    /// <summary>
    /// Head backward for one (row, sample) pair of an importance-weighted objective whose per-pair term is
    /// -log p(x|z) + log q(z|x) - log p(z), weighted <paramref name="weight"/> (the normalised importance weight times the
    /// KL weight and batch scale): the log-ratio's reparameterised gradient is d/dz = z / r^2 and d/dlv = -1/2 directly, so
    /// with g = dz + weight z / r^2 it writes dL/dmu = g and dL/dlv = g eps e^(lv/2) / 2 - weight / 2.
    /// </summary>
    public static void ImportanceHeadBackward(ReadOnlySpan<float> head, ReadOnlySpan<float> eps, ReadOnlySpan<float> z, ReadOnlySpan<float> dz,
        Span<float> headGrad, float weight, float priorScale)
    {
        int n = dz.Length;
        float c = weight / (priorScale * priorScale);
        for (int j = 0; j < n; j++)
        {
            float g = dz[j] + c * z[j];
            headGrad[j] = g;
            headGrad[n + j] = 0.5f * g * eps[j] * MathF.Exp(0.5f * head[n + j]) - 0.5f * weight;
        }
    }

    /// <summary>
    /// One row's share of the Gaussian decoder's log variance gradient: target_i = weight (1 - (x_i - m_i)^2 e^-lv_i) / 2,
    /// from <paramref name="gradient"/> = (m - x) e^-lv (what <see cref="GaussianRow"/> writes at scale 1).
    /// </summary>
    public static void WeightedLogVarianceGradient(ReadOnlySpan<float> gradient, ReadOnlySpan<float> inverseVariance, float weight, Span<float> target)
    {
        for (int i = 0; i < target.Length; i++) target[i] = 0.5f * weight * (1f - gradient[i] * gradient[i] / inverseVariance[i]);
    }
}

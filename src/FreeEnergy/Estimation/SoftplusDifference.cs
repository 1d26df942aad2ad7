using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace FreeEnergy.Estimation;

/// <summary>
/// The AIS weight increment of one run, sum_j [softplus(beta' p_j) - softplus(beta p_j)], for neighbouring betas.
/// Each term is evaluated as log1p(sigm(beta p) expm1((beta' - beta) p)): exact algebra, and for the small steps of an
/// annealing schedule (|(beta' - beta) p| at most <see cref="SeriesLimit"/>) both log1p and expm1 are short series in
/// single-precision vector lanes whose error is relative to the difference itself (about 1e-7 of it), where the
/// difference of two rounded softplus values would lose everything below the softplus's own last bit. Larger steps
/// take the double-precision difference of <see cref="Compute.Cpu.Activations.Softplus(double)"/>.
/// </summary>
internal static class SoftplusDifference
{
    /// <summary>Largest |(beta' - beta) p| of the series path: expm1 and log1p to the sixth power, truncation below 1e-9 relative.</summary>
    internal const float SeriesLimit = 0.05f;

    /// <summary>sum_j softplus(to p_j) - softplus(from p_j); <paramref name="scratch"/> holds at least p.Length floats.</summary>
    public static double Sum(ReadOnlySpan<float> p, double from, double to, Span<float> scratch)
    {
        int n = p.Length;
        float step = (float)(to - from);
        if (!Vector256.IsHardwareAccelerated || n < 8 || !(MathF.Abs(TensorPrimitives.MaxMagnitude(p)) * MathF.Abs(step) <= SeriesLimit))
            return Exact(p, from, to);
        var sig = scratch[..n];
        TensorPrimitives.Multiply(p, (float)from, sig);
        TensorPrimitives.Sigmoid(sig, sig);
        var vs = Vector256.Create(step);
        var half = Vector256.Create(0.5f);
        var third = Vector256.Create(1f / 3f);
        var quarter = Vector256.Create(0.25f);
        var fifth = Vector256.Create(0.2f);
        var sixth = Vector256.Create(1f / 6f);
        var one = Vector256<float>.One;
        var acc0 = Vector256<double>.Zero;
        var acc1 = Vector256<double>.Zero;
        int j = 0;
        for (; j + 8 <= n; j += 8)
        {
            var d = vs * Vector256.Create(p.Slice(j, 8));
            // expm1(d) = d (1 + d/2 (1 + d/3 (1 + d/4 (1 + d/5))))
            var e = d * (one + d * half * (one + d * third * (one + d * quarter * (one + d * fifth))));
            var u = Vector256.Create(sig.Slice(j, 8)) * e;
            // log1p(u) = u (1 - u (1/2 - u (1/3 - u (1/4 - u (1/5 - u/6)))))
            var l = u * (one - u * (half - u * (third - u * (quarter - u * (fifth - u * sixth)))));
            var (lo, hi) = Vector256.Widen(l);
            acc0 += lo;
            acc1 += hi;
        }
        double sum = Vector256.Sum(acc0 + acc1);
        for (; j < n; j++) sum += Compute.Cpu.Activations.Softplus(to * p[j]) - Compute.Cpu.Activations.Softplus(from * p[j]);
        return sum;
    }

    /// <summary>The reference: the double-precision difference of the two softplus values, term by term.</summary>
    internal static double Exact(ReadOnlySpan<float> p, double from, double to)
    {
        double sum = 0;
        for (int j = 0; j < p.Length; j++)
            sum += Compute.Cpu.Activations.Softplus(to * p[j]) - Compute.Cpu.Activations.Softplus(from * p[j]);
        return sum;
    }
}

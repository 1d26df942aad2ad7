using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FreeEnergy.Compute.Cpu;

/// <summary>
/// The training step's bias + logistic row pass in one sweep: y = sigmoid(scale * (y + bias)), with the same stable
/// form as <see cref="Activations.Sigmoid(ReadOnlySpan{float}, Span{float})"/> (t = e^-|z|, then 1 / (1 + t) or
/// t / (1 + t)) but e^-|z| from an inline AVX2 polynomial (Cephes expf: range reduction by ln 2 and a degree-6
/// polynomial, within about 2 ulp of exp) instead of a separate library pass. Lanes whose e^-|z| would leave the
/// normal range (|z| &gt; 87) take the scalar path, so tiny probabilities are still exact to float precision.
/// </summary>
internal static class LogisticRows
{
    private const float Log2E = 1.44269504088896341f, Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;
    private const float NormalLimit = -87.3f;

    /// <summary>Whether the vector path runs here (AVX2 and FMA).</summary>
    public static bool IsAccelerated => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>In place: row[i] = sigmoid(scale * (row[i] + bias[i])).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void BiasSigmoid(Span<float> row, ReadOnlySpan<float> bias, float scale)
    {
        if (bias.Length < row.Length) throw new ArgumentException("The bias is shorter than the row.", nameof(bias));
        int n = row.Length, i = 0;
        fixed (float* pr = row)
        fixed (float* pb = bias)
        {
            if (IsAccelerated)
            {
                var vs = Vector256.Create(scale);
                for (; i + 8 <= n; i += 8)
                {
                    var z = (Avx.LoadVector256(pr + i) + Avx.LoadVector256(pb + i)) * vs;
                    var a = -Vector256.Abs(z);
                    if (Vector256.LessThanAny(a, Vector256.Create(NormalLimit)))
                    {
                        for (int k = i; k < i + 8; k++) pr[k] = Scalar((pr[k] + pb[k]) * scale);
                        continue;
                    }
                    var t = ExpNormal(a);
                    var s = Vector256<float>.One / (Vector256<float>.One + t);
                    Avx.Store(pr + i, Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(z, Vector256<float>.Zero), s, t * s));
                }
            }
            for (; i < n; i++) pr[i] = Scalar((pr[i] + pb[i]) * scale);
        }
    }

    /// <summary>The scalar form with the library exp (tails, extreme lanes, no AVX2).</summary>
    private static float Scalar(float z)
    {
        float t = MathF.Exp(-MathF.Abs(z));
        float s = 1f / (1f + t);
        return z >= 0f ? s : t * s;
    }

    /// <summary>e^a for a in [-87.3, 0] (results in the normal range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpNormal(Vector256<float> a)
    {
        var n = Avx.RoundToNearestInteger(a * Vector256.Create(Log2E));
        var r = Fma.MultiplyAddNegated(n, Vector256.Create(Ln2Hi), a);
        r = Fma.MultiplyAddNegated(n, Vector256.Create(Ln2Lo), r);
        var p = Vector256.Create(1.9875691500e-4f);
        p = Fma.MultiplyAdd(p, r, Vector256.Create(1.3981999507e-3f));
        p = Fma.MultiplyAdd(p, r, Vector256.Create(8.3334519073e-3f));
        p = Fma.MultiplyAdd(p, r, Vector256.Create(4.1665795894e-2f));
        p = Fma.MultiplyAdd(p, r, Vector256.Create(1.6666665459e-1f));
        p = Fma.MultiplyAdd(p, r, Vector256.Create(5.0000001201e-1f));
        p = Fma.MultiplyAdd(p, r * r, r) + Vector256<float>.One;
        var scale = Avx2.ShiftLeftLogical(Avx.ConvertToVector256Int32(n) + Vector256.Create(127), 23).AsSingle();
        return p * scale;
    }
}

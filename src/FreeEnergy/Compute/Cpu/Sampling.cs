using FreeEnergy.Compute.Random;

namespace FreeEnergy.Compute.Cpu;

/// <summary>
/// Counter-based sampling: element i of a call draws Philox word (<c>seed</c>, <c>stream</c>, <c>startIndex + i</c>),
/// so results are identical however the work is split across threads.
/// </summary>
public static class Sampling
{
    /// <summary>output[i] = 1 if u_i &lt; probabilities[i] else 0.</summary>
    public static void Bernoulli(ReadOnlySpan<float> probabilities, Span<float> output, ulong seed, ulong stream, ulong startIndex)
    {
        if (output.Length < probabilities.Length) throw new ArgumentException("Output is shorter than the input.", nameof(output));
        Span<float> u = stackalloc float[256];
        for (int start = 0; start < probabilities.Length; start += u.Length)
        {
            int n = Math.Min(u.Length, probabilities.Length - start);
            Philox.FillUniform(seed, stream, startIndex + (ulong)start, u[..n]);
            for (int i = 0; i < n; i++) output[start + i] = u[i] < probabilities[start + i] ? 1f : 0f;
        }
    }

    /// <summary>output[i] = mean[i] + standardDeviation * z_i with z_i standard normal.</summary>
    public static void Gaussian(ReadOnlySpan<float> mean, float standardDeviation, Span<float> output, ulong seed, ulong stream, ulong startIndex)
    {
        if (output.Length < mean.Length) throw new ArgumentException("Output is shorter than the input.", nameof(output));
        Philox.FillGaussian(seed, stream, startIndex, output[..mean.Length]);
        for (int i = 0; i < mean.Length; i++) output[i] = mean[i] + standardDeviation * output[i];
    }
}

using System.Numerics;
using System.Numerics.Tensors;
using FreeEnergy.Compute;
using FreeEnergy.Models;

namespace FreeEnergy.Estimation;

/// <summary>
/// Exact log Z by enumerating every state of the smaller layer (at most <see cref="MaxEnumeratedUnits"/> units):
/// Bernoulli RBM, hidden enumerated: log Z = logsumexp_h [b.h + sum_i softplus(a_i + (W h)_i)], or visible
/// enumerated: logsumexp_v [-F(v)]; Gaussian RBM (hidden enumerated, v integrated in closed form):
/// log Z = logsumexp_h [b.h + 1/2 |W h + a/sigma|^2] - 1/2 |a/sigma|^2 + sum_i log(sqrt(2 pi) sigma_i).
/// States are visited in Gray-code order in chunks run in parallel; the log-sum-exp is taken in double.
/// Thread-safe: only reads the model.
/// </summary>
public static class ExactLogPartition
{
    /// <summary>The largest layer size that is enumerated (2^24 states).</summary>
    public const int MaxEnumeratedUnits = 24;

    private const int ChunkBits = 8;

    /// <summary>Whether <paramref name="model"/> is small enough for exact enumeration.</summary>
    public static bool IsFeasible(RbmBase model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model is GaussianRbm ? model.Hidden <= MaxEnumeratedUnits : Math.Min(model.Visible, model.Hidden) <= MaxEnumeratedUnits;
    }

    /// <summary>Exact log Z of <paramref name="model"/> as an estimate record (lower = upper = value).</summary>
    public static LogPartitionEstimate Estimate(RbmBase model, IComputeBackend? backend = null)
    {
        double z = Compute(model, backend);
        return new LogPartitionEstimate(z, z, z, "exact");
    }

    /// <summary>Exact log Z of <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">Both layers (Gaussian RBM: the hidden layer) have more than <see cref="MaxEnumeratedUnits"/> units.</exception>
    public static double Compute(RbmBase model, IComputeBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        backend ??= model.Backend;
        int d = model.Visible, h = model.Hidden;
        if (model is GaussianRbm g)
        {
            if (h > MaxEnumeratedUnits)
                throw new ArgumentException($"exact log Z of a Gaussian RBM enumerates the hidden layer: {h} hidden units is more than {MaxEnumeratedUnits}; use AIS.", nameof(model));
            var shift = new float[d];
            TensorPrimitives.Divide(g.VisibleBias, g.VisibleSigma, shift);
            double constant = 0;
            for (int i = 0; i < d; i++) constant += 0.5 * Math.Log(2 * Math.PI) + Math.Log(g.VisibleSigma[i]) - 0.5 * (double)shift[i] * shift[i];
            return constant + Enumerate(Transposed(model.Weights, d, h), h, d, model.HiddenBias, shift, gaussian: true, backend);
        }
        if (Math.Min(d, h) > MaxEnumeratedUnits)
            throw new ArgumentException($"exact log Z enumerates the smaller layer: {Math.Min(d, h)} units is more than {MaxEnumeratedUnits}; use AIS or TAP.", nameof(model));
        return h <= d
            ? Enumerate(Transposed(model.Weights, d, h), h, d, model.HiddenBias, model.VisibleBias, gaussian: false, backend)
            : Enumerate(model.Weights, d, h, model.VisibleBias, model.HiddenBias, gaussian: false, backend);
    }

    /// <summary>
    /// logsumexp over s in {0,1}^n of [e.s + R(o + s M)], with M [n x m] row-major and R = sum softplus
    /// (Bernoulli) or 1/2 sum of squares (Gaussian).
    /// </summary>
    private static double Enumerate(float[] m, int n, int width, float[] e, float[] o, bool gaussian, IComputeBackend backend)
    {
        int chunkBits = Math.Min(n, ChunkBits);
        long total = 1L << n;
        int chunks = (int)(total >> chunkBits);
        int chunkSize = 1 << chunkBits;
        var maxima = new double[chunks];
        var sums = new double[chunks];
        backend.For(chunks, 1, (startChunk, endChunk) =>
        {
            var acc = new float[width];
            var scratch = new float[width];
            var terms = new double[chunkSize];
            for (int chunk = startChunk; chunk < endChunk; chunk++)
            {
                long first = (long)chunk << chunkBits;
                long gray = first ^ (first >> 1);
                o.AsSpan().CopyTo(acc);
                double dot = 0;
                for (int j = 0; j < n; j++)
                {
                    if (((gray >> j) & 1) == 0) continue;
                    TensorPrimitives.Add(acc, m.AsSpan(j * width, width), acc);
                    dot += e[j];
                }
                for (int t = 0; t < chunkSize; t++)
                {
                    long c = first + t;
                    if (t > 0)
                    {
                        int j = BitOperations.TrailingZeroCount(c);
                        gray ^= 1L << j;
                        var row = m.AsSpan(j * width, width);
                        if (((gray >> j) & 1) != 0) { TensorPrimitives.Add(acc, row, acc); dot += e[j]; }
                        else { TensorPrimitives.Subtract(acc, row, acc); dot -= e[j]; }
                    }
                    double r = gaussian ? 0.5 * TensorPrimitives.SumOfSquares<float>(acc) : RbmKernels.SoftplusSumFast(acc, scratch);
                    terms[t] = dot + r;
                }
                double max = double.NegativeInfinity;
                foreach (var v in terms) if (v > max) max = v;
                double sum = 0;
                foreach (var v in terms) sum += Math.Exp(v - max);
                maxima[chunk] = max;
                sums[chunk] = sum;
            }
        });
        double globalMax = double.NegativeInfinity;
        foreach (var v in maxima) if (v > globalMax) globalMax = v;
        double total2 = 0;
        for (int i = 0; i < chunks; i++) total2 += sums[i] * Math.Exp(maxima[i] - globalMax);
        return globalMax + Math.Log(total2);
    }

    private static float[] Transposed(float[] w, int rows, int columns)
    {
        var t = new float[w.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++) t[j * rows + i] = w[i * columns + j];
        return t;
    }
}

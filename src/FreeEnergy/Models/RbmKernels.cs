using System.Numerics;
using System.Numerics.Tensors;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.Models;

/// <summary>Batched building blocks shared by the RBMs, their trainer and the estimators (row-major, no allocation).</summary>
internal static class RbmKernels
{
    /// <summary>Elements per parallel work item for elementwise passes: below this, splitting costs more than it saves.</summary>
    public const int ElementGrain = 32768;

    /// <summary>Rows per parallel work item for rows of <paramref name="width"/> elements.</summary>
    public static int Grain(int width) => Math.Max(1, ElementGrain / Math.Max(1, width));

    /// <summary>output[rows x H] = x[rows x D] * W[D x H].</summary>
    public static void VisibleToHidden(IComputeBackend backend, ReadOnlySpan<float> x, int rows, ReadOnlySpan<float> weights, int visible, int hidden, Span<float> output)
        => backend.Gemm(Transpose.None, Transpose.None, rows, hidden, visible, 1f, x, visible, weights, hidden, 0f, output, hidden);

    /// <summary>output[rows x D] = h[rows x H] * W^T.</summary>
    public static void HiddenToVisible(IComputeBackend backend, ReadOnlySpan<float> h, int rows, ReadOnlySpan<float> weights, int visible, int hidden, Span<float> output)
        => backend.Gemm(Transpose.None, Transpose.Transposed, rows, visible, hidden, 1f, h, hidden, weights, hidden, 0f, output, visible);

    /// <summary>In place over rows: y = sigmoid(scale * (y + bias)).</summary>
    public static void BiasSigmoid(IComputeBackend backend, float[] matrix, int offset, int rows, float[] bias, float scale)
    {
        int width = bias.Length;
        backend.For(rows, Grain(width), (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                BiasSigmoidRow(matrix.AsSpan(offset + r * width, width), bias, scale);
            }
        });
    }

    /// <summary>
    /// In place over rows: y = sigmoid(scale * (y + bias)) in one pass per row (<see cref="LogisticRows"/>: the same
    /// stable form, e^-|z| from an inline polynomial within a few ulp of the library exp). For the training step.
    /// </summary>
    public static void BiasSigmoidOnePass(IComputeBackend backend, float[] matrix, int offset, int rows, float[] bias, float scale)
    {
        int width = bias.Length;
        backend.For(rows, Grain(width), (start, end) =>
        {
            for (int r = start; r < end; r++) TrainingRow(matrix.AsSpan(offset + r * width, width), bias, scale);
        });
    }

    private static void TrainingRow(Span<float> row, float[] bias, float scale)
    {
        if (LogisticRows.IsAccelerated) LogisticRows.BiasSigmoid(row, bias, scale);
        else BiasSigmoidRow(row, bias, scale);
    }

    private static void BiasSigmoidRow(Span<float> row, float[] bias, float scale)
    {
        TensorPrimitives.Add(row, bias, row);
        if (scale != 1f) TensorPrimitives.Multiply(row, scale, row);
        Activations.Sigmoid(row, row);
    }

    /// <summary>
    /// One pass per row (the training step's, <see cref="BiasSigmoidOnePass"/>): probabilities = sigmoid(scale * (row + bias)) in place, then Bernoulli draws of them into
    /// <paramref name="samples"/> (element (r, c) uses Philox index r * width + c of <paramref name="stream"/>).
    /// </summary>
    public static void BiasSigmoidSample(IComputeBackend backend, float[] matrix, int offset, int rows, float[] bias, float scale,
        float[] samples, int samplesOffset, ulong seed, ulong stream)
    {
        int width = bias.Length;
        backend.For(rows, Grain(width), (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var row = matrix.AsSpan(offset + r * width, width);
                TrainingRow(row, bias, scale);
                PhiloxBernoulli.Sample(row, samples.AsSpan(samplesOffset + r * width, width), seed, stream, (ulong)r * (ulong)width);
            }
        });
    }

    /// <summary>Bernoulli draws over rows: element (r, c) uses Philox index r * width + c of <paramref name="stream"/>, so the result is thread-count independent.</summary>
    public static void SampleBernoulli(IComputeBackend backend, float[] probabilities, int probabilityOffset, float[] output, int outputOffset, int rows, int width, ulong seed, ulong stream)
    {
        backend.For(rows, Grain(width), (start, end) =>
        {
            for (int r = start; r < end; r++)
                PhiloxBernoulli.Sample(probabilities.AsSpan(probabilityOffset + r * width, width), output.AsSpan(outputOffset + r * width, width), seed, stream, (ulong)r * (ulong)width);
        });
    }

    /// <summary>Returns false when any value is NaN, infinite, or larger in magnitude than <paramref name="limit"/>.</summary>
    public static bool IsSane(ReadOnlySpan<float> values, float limit)
    {
        if (values.Length == 0) return true;
        float m = TensorPrimitives.MaxMagnitude(values);
        return float.IsFinite(m) && MathF.Abs(m) <= limit;
    }

    /// <summary>Sum of softplus over a span, accumulated in double.</summary>
    public static double SoftplusSum(ReadOnlySpan<float> x)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += Activations.Softplus((double)x[i]);
        return sum;
    }

    /// <summary>Fast sum of softplus over a span using vector kernels (float accumulation; for enumeration).</summary>
    public static double SoftplusSumFast(ReadOnlySpan<float> x, Span<float> scratch)
    {
        // sum softplus(x) = sum max(x, 0) + log prod (1 + e^-|x|): one exponential pass, no per-element logarithm.
        // Each factor lies in (1, 2], so a lane's running product is folded into a logarithm every 64 factors.
        var t = scratch[..x.Length];
        TensorPrimitives.Abs(x, t);
        TensorPrimitives.Negate(t, t);
        TensorPrimitives.Exp(t, t);
        double logs = 0;
        float positive = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            int w = Vector<float>.Count;
            var sum = Vector<float>.Zero;
            var product = Vector<float>.One;
            int steps = 0;
            for (; i + w <= x.Length; i += w)
            {
                var xv = new Vector<float>(x[i..]);
                sum += Vector.Max(xv, Vector<float>.Zero);
                product *= Vector<float>.One + new Vector<float>(t[i..]);
                if (++steps == 64)
                {
                    for (int l = 0; l < w; l++) logs += Math.Log(product[l]);
                    product = Vector<float>.One;
                    steps = 0;
                }
            }
            for (int l = 0; l < w; l++) logs += Math.Log(product[l]);
            positive = Vector.Sum(sum);
        }
        for (; i < x.Length; i++)
        {
            positive += MathF.Max(x[i], 0f);
            logs += Math.Log(1.0 + t[i]);
        }
        return positive + logs;
    }

    /// <summary>Draws Bernoulli(0.5)-independent seedable stream ids for one purpose.</summary>
    public static ulong Stream(ulong purpose, ulong a, ulong b = 0) => Philox.Stream(purpose, a, b);
}

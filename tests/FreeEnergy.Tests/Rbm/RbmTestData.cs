using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Tests.Rbm;

/// <summary>Small generated data sets and models for the RBM tests.</summary>
internal static class RbmTestData
{
    /// <summary>A Bernoulli RBM with N(0, scale^2) weights and biases.</summary>
    public static BernoulliRbm RandomBernoulli(int visible, int hidden, float scale, ulong seed)
    {
        var rng = new RandomStream(seed, 7);
        var m = new BernoulliRbm(visible, hidden);
        for (int i = 0; i < m.Weights.Length; i++) m.Weights[i] = scale * rng.NextGaussian();
        for (int i = 0; i < visible; i++) m.VisibleBias[i] = 0.5f * scale * rng.NextGaussian();
        for (int j = 0; j < hidden; j++) m.HiddenBias[j] = 0.5f * scale * rng.NextGaussian();
        return m;
    }

    /// <summary>A Gaussian RBM with N(0, scale^2) weights and biases and sigma in [0.5, 1.5].</summary>
    public static GaussianRbm RandomGaussian(int visible, int hidden, float scale, ulong seed)
    {
        var rng = new RandomStream(seed, 8);
        var m = new GaussianRbm(visible, hidden);
        for (int i = 0; i < m.Weights.Length; i++) m.Weights[i] = scale * rng.NextGaussian();
        for (int i = 0; i < visible; i++) m.VisibleBias[i] = 0.5f * rng.NextGaussian();
        for (int j = 0; j < hidden; j++) m.HiddenBias[j] = 0.5f * scale * rng.NextGaussian();
        for (int i = 0; i < visible; i++) m.VisibleSigma[i] = 0.5f + rng.NextFloat();
        return m;
    }

    /// <summary>Random binary rows with column probabilities in [0.1, 0.9].</summary>
    public static Matrix RandomBinary(int rows, int columns, ulong seed)
    {
        var rng = new RandomStream(seed, 9);
        var p = new float[columns];
        for (int c = 0; c < columns; c++) p[c] = 0.1f + 0.8f * rng.NextFloat();
        var m = new Matrix(rows, columns);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) m[r, c] = rng.NextFloat() < p[c] ? 1f : 0f;
        return m;
    }

    /// <summary>
    /// MNIST-like 28x28 binary images: a few stroke prototypes (thick random line segments), each image a prototype
    /// shifted by up to one pixel with 2% of its pixels flipped.
    /// </summary>
    public static Matrix DigitLike(int rows, ulong seed, int prototypes = 6)
    {
        const int size = 28;
        var rng = new RandomStream(seed, 10);
        var protos = new float[prototypes][];
        for (int p = 0; p < prototypes; p++)
        {
            var img = new float[size * size];
            int strokes = 2 + rng.NextInt(3);
            for (int s = 0; s < strokes; s++)
            {
                float x0 = 6 + 16 * rng.NextFloat(), y0 = 6 + 16 * rng.NextFloat();
                float x1 = 6 + 16 * rng.NextFloat(), y1 = 6 + 16 * rng.NextFloat();
                for (int t = 0; t <= 40; t++)
                {
                    float x = x0 + (x1 - x0) * t / 40f, y = y0 + (y1 - y0) * t / 40f;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            int xi = (int)x + dx, yi = (int)y + dy;
                            if (xi >= 0 && xi < size && yi >= 0 && yi < size) img[yi * size + xi] = 1f;
                        }
                }
            }
            protos[p] = img;
        }
        var m = new Matrix(rows, size * size);
        for (int r = 0; r < rows; r++)
        {
            var proto = protos[rng.NextInt(prototypes)];
            int sx = rng.NextInt(3) - 1, sy = rng.NextInt(3) - 1;
            var row = m.Row(r);
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    int px = x - sx, py = y - sy;
                    float v = px >= 0 && px < size && py >= 0 && py < size ? proto[py * size + px] : 0f;
                    if (rng.NextFloat() < 0.02f) v = 1f - v;
                    row[y * size + x] = v;
                }
        }
        return m;
    }

    /// <summary>All 2^n binary vectors of length n, as rows.</summary>
    public static float[][] AllStates(int n)
    {
        var states = new float[1 << n][];
        for (int s = 0; s < states.Length; s++)
        {
            states[s] = new float[n];
            for (int i = 0; i < n; i++) states[s][i] = (s >> i) & 1;
        }
        return states;
    }

    /// <summary>Bernoulli energy E(v,h) = -a.v - b.h - v^T W h in double.</summary>
    public static double Energy(BernoulliRbm m, float[] v, float[] h)
    {
        double e = 0;
        for (int i = 0; i < m.Visible; i++) e -= m.VisibleBias[i] * (double)v[i];
        for (int j = 0; j < m.Hidden; j++) e -= m.HiddenBias[j] * (double)h[j];
        for (int i = 0; i < m.Visible; i++)
            for (int j = 0; j < m.Hidden; j++) e -= (double)v[i] * m.Weights[i * m.Hidden + j] * h[j];
        return e;
    }

    /// <summary>Gaussian energy E(v,h) = sum (v-a)^2/(2 s^2) - b.h - sum (v/s) W h in double.</summary>
    public static double Energy(GaussianRbm m, double[] v, float[] h)
    {
        double e = 0;
        for (int i = 0; i < m.Visible; i++)
        {
            double d = (v[i] - m.VisibleBias[i]) / m.VisibleSigma[i];
            e += 0.5 * d * d;
        }
        for (int j = 0; j < m.Hidden; j++) e -= m.HiddenBias[j] * (double)h[j];
        for (int i = 0; i < m.Visible; i++)
            for (int j = 0; j < m.Hidden; j++) e -= v[i] / m.VisibleSigma[i] * m.Weights[i * m.Hidden + j] * h[j];
        return e;
    }

    /// <summary>log sum exp in double.</summary>
    public static double LogSumExp(IEnumerable<double> values)
    {
        var list = values.ToList();
        double max = list.Max();
        return max + Math.Log(list.Sum(x => Math.Exp(x - max)));
    }
}

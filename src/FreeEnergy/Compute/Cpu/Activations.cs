using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace FreeEnergy.Compute.Cpu;

/// <summary>Numerically stable elementwise activations on spans.</summary>
public static class Activations
{
    /// <summary>Stable logistic sigmoid of one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x)
    {
        if (x >= 0) return 1f / (1f + MathF.Exp(-x));
        float e = MathF.Exp(x);
        return e / (1f + e);
    }

    /// <summary>Stable softplus log(1 + e^x) of one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Softplus(float x)
    {
        float t = MathF.Exp(-MathF.Abs(x));
        float u = 1f + t;
        return MathF.Max(x, 0f) + (u == 1f ? t : MathF.Log(u) * t / (u - 1f));
    }

    /// <summary>Stable softplus in double precision.</summary>
    public static double Softplus(double x)
    {
        double t = Math.Exp(-Math.Abs(x));
        double u = 1.0 + t;
        // log1p(t) as log(u) * t / (u - 1): accurate even when t is far below the double epsilon.
        return Math.Max(x, 0.0) + (u == 1.0 ? t : Math.Log(u) * t / (u - 1.0));
    }

    /// <summary>Elements processed per stack chunk by the vectorised activations.</summary>
    private const int Chunk = 256;

    /// <summary>
    /// y = sigmoid(x) elementwise (x and y may alias), computed stably as 1 / (1 + t) or t / (1 + t) with
    /// t = e^-|x|, so no overflow occurs and tiny outputs keep their relative accuracy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length) throw new ArgumentException("Destination is shorter than the source.", nameof(y));
        Span<float> t = stackalloc float[Chunk];
        for (int start = 0; start < x.Length; start += Chunk)
        {
            int count = Math.Min(Chunk, x.Length - start);
            var xs = x.Slice(start, count);
            var ys = y.Slice(start, count);
            var ts = t[..count];
            NegativeAbsExp(xs, ts);
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                int w = Vector<float>.Count;
                for (; i + w <= count; i += w)
                {
                    var xv = new Vector<float>(xs[i..]);
                    var tv = new Vector<float>(ts[i..]);
                    var s = Vector<float>.One / (Vector<float>.One + tv);
                    Vector.ConditionalSelect(Vector.GreaterThanOrEqual(xv, Vector<float>.Zero), s, tv * s).CopyTo(ys[i..]);
                }
            }
            for (; i < count; i++)
            {
                float s = 1f / (1f + ts[i]);
                ys[i] = xs[i] >= 0f ? s : ts[i] * s;
            }
        }
    }

    /// <summary>
    /// y = softplus(x) = max(x, 0) + log1p(e^-|x|) elementwise (x and y may alias). log1p is evaluated as
    /// log(u) * t / (u - 1) with u = 1 + t, which stays accurate for tiny t (very negative x).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softplus(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length) throw new ArgumentException("Destination is shorter than the source.", nameof(y));
        Span<float> t = stackalloc float[Chunk];
        Span<float> l = stackalloc float[Chunk];
        for (int start = 0; start < x.Length; start += Chunk)
        {
            int count = Math.Min(Chunk, x.Length - start);
            var xs = x.Slice(start, count);
            var ys = y.Slice(start, count);
            var ts = t[..count];
            var ls = l[..count];
            NegativeAbsExp(xs, ts);
            TensorPrimitives.Add(ts, 1f, ls);
            TensorPrimitives.Log(ls, ls);
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                int w = Vector<float>.Count;
                for (; i + w <= count; i += w)
                {
                    var xv = new Vector<float>(xs[i..]);
                    var tv = new Vector<float>(ts[i..]);
                    var lv = new Vector<float>(ls[i..]);
                    var u = Vector<float>.One + tv;
                    var small = Vector.Equals(u, Vector<float>.One);
                    // Where u == 1 the quotient is 0/0; select t there (log1p(t) = t to float precision).
                    var log1p = Vector.ConditionalSelect(small, tv, lv * tv / Vector.ConditionalSelect(small, Vector<float>.One, u - Vector<float>.One));
                    (Vector.Max(xv, Vector<float>.Zero) + log1p).CopyTo(ys[i..]);
                }
            }
            for (; i < count; i++)
            {
                float u = 1f + ts[i];
                float log1p = u == 1f ? ts[i] : ls[i] * ts[i] / (u - 1f);
                ys[i] = MathF.Max(xs[i], 0f) + log1p;
            }
        }
    }

    /// <summary>y = max(x, 0) elementwise (x and y may alias).</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length) throw new ArgumentException("Destination is shorter than the source.", nameof(y));
        TensorPrimitives.Max(x, 0f, y[..x.Length]);
    }

    /// <summary>
    /// y = tanh(x) elementwise (x and y may alias), as sign(x) * -e / (2 + e) with e = expm1(-2|x|) evaluated by
    /// Kahan's (u - 1) * v / log(u) with u = e^v, so small inputs keep full relative accuracy (tanh(0) is exactly 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length) throw new ArgumentException("Destination is shorter than the source.", nameof(y));
        Span<float> v = stackalloc float[Chunk];
        Span<float> u = stackalloc float[Chunk];
        Span<float> l = stackalloc float[Chunk];
        for (int start = 0; start < x.Length; start += Chunk)
        {
            int count = Math.Min(Chunk, x.Length - start);
            var xs = x.Slice(start, count);
            var ys = y.Slice(start, count);
            var vs = v[..count];
            var us = u[..count];
            var ls = l[..count];
            TensorPrimitives.Abs(xs, vs);
            TensorPrimitives.Multiply(vs, -2f, vs);
            TensorPrimitives.Exp(vs, us);
            TensorPrimitives.Log(us, ls);
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                int w = Vector<float>.Count;
                var one = Vector<float>.One;
                for (; i + w <= count; i += w)
                {
                    var xv = new Vector<float>(xs[i..]);
                    var vv = new Vector<float>(vs[i..]);
                    var uv = new Vector<float>(us[i..]);
                    var lv = new Vector<float>(ls[i..]);
                    var exact = Vector.Equals(uv, one);
                    var zero = Vector.Equals(uv, Vector<float>.Zero);
                    var safeLog = Vector.ConditionalSelect(exact | zero, one, lv);
                    var em1 = Vector.ConditionalSelect(exact, vv, Vector.ConditionalSelect(zero, -one, (uv - one) * vv / safeLog));
                    var magnitude = -em1 / (new Vector<float>(2f) + em1);
                    Vector.ConditionalSelect(Vector.LessThan(xv, Vector<float>.Zero), -magnitude, magnitude).CopyTo(ys[i..]);
                }
            }
            for (; i < count; i++)
            {
                float ui = us[i];
                float em1 = ui == 1f ? vs[i] : ui == 0f ? -1f : (ui - 1f) * vs[i] / ls[i];
                float magnitude = -em1 / (2f + em1);
                ys[i] = xs[i] < 0f ? -magnitude : float.IsNaN(xs[i]) ? xs[i] : magnitude;
            }
        }
    }

    /// <summary>y = activation(x) elementwise (x and y may alias); <see cref="Activation.None"/> copies.</summary>
    public static void Apply(Activation activation, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (activation)
        {
            case Activation.None:
                if (y.Length < x.Length) throw new ArgumentException("Destination is shorter than the source.", nameof(y));
                x.CopyTo(y);
                break;
            case Activation.Sigmoid: Sigmoid(x, y); break;
            case Activation.Softplus: Softplus(x, y); break;
            case Activation.Relu: Relu(x, y); break;
            case Activation.Tanh: Tanh(x, y); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>t = e^-|x| (t has the length of x).</summary>
    private static void NegativeAbsExp(ReadOnlySpan<float> x, Span<float> t)
    {
        TensorPrimitives.Abs(x, t);
        TensorPrimitives.Negate(t, t);
        TensorPrimitives.Exp(t, t);
    }

    /// <summary>Adds <paramref name="bias"/> to every row of the row-major <paramref name="matrix"/> whose rows have bias.Length columns.</summary>
    public static void AddRowBias(Span<float> matrix, ReadOnlySpan<float> bias)
    {
        int columns = bias.Length;
        if (columns == 0) return;
        if (matrix.Length % columns != 0) throw new ArgumentException("Matrix length is not a multiple of the bias length.", nameof(matrix));
        for (int offset = 0; offset < matrix.Length; offset += columns)
        {
            var row = matrix.Slice(offset, columns);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>
    /// Row-wise stable log-sum-exp of a row-major matrix with <paramref name="columns"/> columns:
    /// max + log(sum e^(x - max)), vectorised; -inf for an all -inf row, +inf when a row holds +inf, NaN for NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LogSumExpRows(ReadOnlySpan<float> matrix, int columns, Span<float> result)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        int rows = matrix.Length / columns;
        if (result.Length < rows) throw new ArgumentException("Result is shorter than the number of rows.", nameof(result));
        Span<float> t = stackalloc float[Chunk];
        for (int r = 0; r < rows; r++)
        {
            var row = matrix.Slice(r * columns, columns);
            float max = TensorPrimitives.Max(row);
            if (float.IsNaN(max) || float.IsInfinity(max)) { result[r] = max; continue; }
            double sum = 0;
            for (int start = 0; start < columns; start += Chunk)
            {
                int count = Math.Min(Chunk, columns - start);
                var ts = t[..count];
                TensorPrimitives.Subtract(row.Slice(start, count), max, ts);
                TensorPrimitives.Exp(ts, ts);
                sum += TensorPrimitives.Sum(ts);
            }
            result[r] = (float)(max + Math.Log(sum));
        }
    }
}

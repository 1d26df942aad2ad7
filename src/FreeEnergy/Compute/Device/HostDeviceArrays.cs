using System.Numerics.Tensors;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.Compute.Device;

/// <summary>
/// <see cref="IDeviceArrays"/> on managed arrays with the CPU engine's own kernels (the backend's GEMM, the stable
/// sigmoid, Philox Bernoulli draws): a device-resident training loop run on this reproduces the CPU trainer, which
/// is how the loop's logic is tested on machines without a GPU.
/// </summary>
internal sealed partial class HostDeviceArrays(IComputeBackend backend) : IDeviceArrays
{
    private sealed class HostArray(float[] data) : DeviceArray(data.Length)
    {
        public float[] Data { get; } = data;

        public override void Dispose() { }
    }

    /// <summary>The backend whose GEMM the products use.</summary>
    public IComputeBackend Backend { get; } = backend ?? throw new ArgumentNullException(nameof(backend));

    /// <inheritdoc />
    public string Name => $"host ({Backend.Name})";

    /// <inheritdoc />
    public object Gate { get; } = new();

    private static Span<float> S(DeviceSlice s) => Host(s).AsSpan(s.Offset, s.Length);

    private static float[] Host(DeviceSlice s) => s.Array as HostArray is { } h ? h.Data
        : throw new ArgumentException("The device array belongs to another implementation.", nameof(s));

    /// <inheritdoc />
    public DeviceArray Allocate(int length) => new HostArray(new float[length]);

    /// <summary>An array over <paramref name="values"/> itself (no copy), so host code and the seam's operations share it.</summary>
    public static DeviceArray Wrap(float[] values) => new HostArray(values);

    /// <summary>The managed array behind an array of this seam.</summary>
    public static float[] Data(DeviceArray array) => Host(array);

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<float> source, DeviceSlice destination) => source.CopyTo(S(destination.Need(source.Length, nameof(destination))));

    /// <inheritdoc />
    public void Download(DeviceSlice source, Span<float> destination) => S(source).CopyTo(destination);

    /// <inheritdoc />
    public void Copy(DeviceSlice source, DeviceSlice destination) => S(source).CopyTo(S(destination.Need(source.Length, nameof(destination))));

    /// <inheritdoc />
    public void Fill(DeviceSlice destination, float value) => S(destination).Fill(value);

    /// <inheritdoc />
    public void Gemm(Transpose transposeA, Transpose transposeB, int m, int n, int k, float alpha, DeviceSlice a, int lda, DeviceSlice b, int ldb, float beta, DeviceSlice c, int ldc)
        => Backend.Gemm(transposeA, transposeB, m, n, k, alpha, S(a), lda, S(b), ldb, beta, S(c), ldc);

    /// <inheritdoc />
    public void GatherRows(DeviceSlice source, int columns, DeviceSlice rowIndexes, int rows, DeviceSlice destination)
    {
        rowIndexes.Need(rows, nameof(rowIndexes));
        destination.Need((long)rows * columns, nameof(destination));
        var src = S(source);
        var idx = S(rowIndexes);
        var dst = S(destination);
        for (int r = 0; r < rows; r++)
        {
            long from = (long)BitConverter.SingleToInt32Bits(idx[r]) * columns;
            if (from < 0 || from + columns > src.Length) throw new ArgumentOutOfRangeException(nameof(rowIndexes), $"Row index {BitConverter.SingleToInt32Bits(idx[r])} is outside the source.");
            src.Slice((int)from, columns).CopyTo(dst.Slice(r * columns, columns));
        }
    }

    /// <inheritdoc />
    public void BiasSigmoid(DeviceSlice x, DeviceSlice bias, DeviceSlice y, int rows, int columns)
    {
        x.Need((long)rows * columns, nameof(x)); y.Need((long)rows * columns, nameof(y)); bias.Need(columns, nameof(bias));
        var xs = Host(x); var ys = Host(y); var b = S(bias).ToArray();
        int xo = x.Offset, yo = y.Offset;
        Backend.For(rows, Math.Max(1, 32768 / Math.Max(1, columns)), (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var row = ys.AsSpan(yo + r * columns, columns);
                TensorPrimitives.Add(xs.AsSpan(xo + r * columns, columns), b, row);
                Activations.Sigmoid(row, row);
            }
        });
    }

    /// <inheritdoc />
    public void Bernoulli(DeviceSlice probabilities, DeviceSlice output, ulong seed, ulong stream, ulong startIndex)
        => PhiloxBernoulli.Sample(S(probabilities), S(output.Need(probabilities.Length, nameof(output))), seed, stream, startIndex);

    /// <inheritdoc />
    public void AddRowBias(DeviceSlice x, DeviceSlice bias, int rows, int columns)
    {
        var m = S(x.Need((long)rows * columns, nameof(x))); var b = S(bias.Need(columns, nameof(bias)))[..columns];
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(m.Slice(r * columns, columns), b, m.Slice(r * columns, columns));
    }

    /// <inheritdoc />
    public void ColumnSums(DeviceSlice matrix, int rows, int columns, DeviceSlice result)
    {
        // The CPU VAE's order (VaeWorkspace.DenseBackward): row 0, then each further row added in turn.
        var m = S(matrix.Need((long)rows * columns, nameof(matrix))); var db = S(result.Need(columns, nameof(result)))[..columns];
        if (rows == 0) { db.Clear(); return; }
        m[..columns].CopyTo(db);
        for (int r = 1; r < rows; r++) TensorPrimitives.Add(db, m.Slice(r * columns, columns), db);
    }

    /// <inheritdoc />
    public void Gaussian(DeviceSlice output, ulong seed, ulong stream, ulong startIndex) => Philox.FillGaussian(seed, stream, startIndex, S(output));

    /// <inheritdoc />
    public void Adam(DeviceSlice parameters, DeviceSlice gradient, DeviceSlice firstMoment, DeviceSlice secondMoment, float learningRate, float beta1, float beta2, float epsilon, long step, float weightDecay)
    {
        // The CPU optimizer's arithmetic (Training.AdamOptimizer).
        var p = S(parameters); int n = p.Length;
        var g = S(gradient.Need(n, nameof(gradient))); var m = S(firstMoment.Need(n, nameof(firstMoment))); var v = S(secondMoment.Need(n, nameof(secondMoment)));
        float stepSize = (float)(learningRate / (1 - Math.Pow(beta1, step)));
        float invBias2Sqrt = (float)(1 / Math.Sqrt(1 - Math.Pow(beta2, step)));
        for (int i = 0; i < n; i++)
        {
            float gi = g[i] + weightDecay * p[i];
            m[i] = beta1 * m[i] + (1 - beta1) * gi;
            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
            p[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) * invBias2Sqrt + epsilon);
        }
    }

    /// <inheritdoc />
    public void DivideColumns(DeviceSlice x, DeviceSlice divisor, int rows, int columns)
    {
        var m = S(x.Need((long)rows * columns, nameof(x))); var s = S(divisor.Need(columns, nameof(divisor)))[..columns];
        for (int r = 0; r < rows; r++) TensorPrimitives.Divide(m.Slice(r * columns, columns), s, m.Slice(r * columns, columns));
    }

    /// <inheritdoc />
    public void ScaleShiftColumns(DeviceSlice x, DeviceSlice sigma, DeviceSlice bias, DeviceSlice y, int rows, int columns)
    {
        var xs = S(x.Need((long)rows * columns, nameof(x))); var ys = S(y.Need((long)rows * columns, nameof(y)));
        var s = S(sigma.Need(columns, nameof(sigma)))[..columns]; var a = S(bias.Need(columns, nameof(bias)))[..columns];
        for (int r = 0; r < rows; r++) TensorPrimitives.FusedMultiplyAdd(xs.Slice(r * columns, columns), s, a, ys.Slice(r * columns, columns));
    }

    /// <inheritdoc />
    public void Scale(DeviceSlice x, float alpha)
    {
        var s = S(x);
        TensorPrimitives.Multiply(s, alpha, s);
    }

    /// <inheritdoc />
    public void ColumnMeanDifference(DeviceSlice positive, int positiveRows, DeviceSlice negative, int negativeRows, int columns, DeviceSlice result)
    {
        positive.Need((long)positiveRows * columns, nameof(positive)); negative.Need((long)negativeRows * columns, nameof(negative));
        var g = S(result.Need(columns, nameof(result)))[..columns];
        var pos = S(positive); var neg = S(negative);
        // The CPU trainer's order and rounding (RbmTrainingSession.ColumnDifference), negated: a gradient to minimise.
        float invN = 1f / positiveRows, invC = 1f / negativeRows;
        g.Clear();
        for (int r = 0; r < positiveRows; r++) TensorPrimitives.MultiplyAdd(pos.Slice(r * columns, columns), invN, g, g);
        for (int r = 0; r < negativeRows; r++) TensorPrimitives.MultiplyAdd(neg.Slice(r * columns, columns), -invC, g, g);
        TensorPrimitives.Negate(g, g);
    }

    /// <inheritdoc />
    public void Momentum(DeviceSlice parameters, DeviceSlice gradient, DeviceSlice velocity, float learningRate, float momentum, float weightDecay)
    {
        var p = S(parameters); var g = S(gradient.Need(p.Length, nameof(gradient)))[..p.Length]; var v = S(velocity.Need(p.Length, nameof(velocity)))[..p.Length];
        TensorPrimitives.Multiply(v, momentum, v);
        if (weightDecay != 0f)
        {
            var decayed = new float[p.Length];
            TensorPrimitives.MultiplyAdd(p, weightDecay, g, decayed);
            TensorPrimitives.MultiplyAdd(decayed, -learningRate, v, v);
        }
        else TensorPrimitives.MultiplyAdd(g, -learningRate, v, v);
        TensorPrimitives.Add(p, v, p);
    }

    /// <inheritdoc />
    public void SquaredErrorRows(DeviceSlice a, DeviceSlice b, DeviceSlice result, int rows, int columns)
    {
        var x = S(a.Need((long)rows * columns, nameof(a))); var y = S(b.Need((long)rows * columns, nameof(b))); var e = S(result.Need(rows, nameof(result)));
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int i = r * columns; i < (r + 1) * columns; i++)
            {
                double d = (double)x[i] - y[i];
                sum += d * d;
            }
            e[r] = (float)sum;
        }
    }

    /// <inheritdoc />
    public float MaxMagnitude(DeviceSlice x)
    {
        var s = S(x);
        if (s.Length == 0) return 0f;
        float m = MathF.Abs(TensorPrimitives.MaxMagnitude(s));
        return float.IsNaN(m) ? float.PositiveInfinity : m;
    }

    /// <inheritdoc />
    public void Dispose() { }

}

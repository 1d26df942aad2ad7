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
    public static float Softplus(float x) => MathF.Max(x, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));

    /// <summary>Stable softplus in double precision.</summary>
    public static double Softplus(double x) => Math.Max(x, 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs(x)));

    /// <summary>y = sigmoid(x) elementwise (x and y may alias).</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length) throw new ArgumentException("Destination is shorter than the source.", nameof(y));
        TensorPrimitives.Sigmoid(x, y[..x.Length]);
    }

    /// <summary>y = softplus(x) elementwise (x and y may alias).</summary>
    public static void Softplus(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length) throw new ArgumentException("Destination is shorter than the source.", nameof(y));
        for (int i = 0; i < x.Length; i++) y[i] = Softplus(x[i]);
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

    /// <summary>Row-wise stable log-sum-exp of a row-major matrix with <paramref name="columns"/> columns.</summary>
    public static void LogSumExpRows(ReadOnlySpan<float> matrix, int columns, Span<float> result)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        int rows = matrix.Length / columns;
        if (result.Length < rows) throw new ArgumentException("Result is shorter than the number of rows.", nameof(result));
        for (int r = 0; r < rows; r++)
        {
            var row = matrix.Slice(r * columns, columns);
            float max = TensorPrimitives.Max(row);
            if (float.IsNegativeInfinity(max)) { result[r] = float.NegativeInfinity; continue; }
            double sum = 0;
            for (int j = 0; j < row.Length; j++) sum += Math.Exp(row[j] - max);
            result[r] = (float)(max + Math.Log(sum));
        }
    }
}

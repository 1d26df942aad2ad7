namespace FreeEnergy.Onnx.Tests.Reference;

/// <summary>Double-precision scalar building blocks of the references.</summary>
internal static class ReferenceMath
{
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    public static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    /// <summary>y[o] = b[o] + sum_i x[i] W[i,o] with W row-major [inputs, outputs].</summary>
    public static double[] Dense(ReadOnlySpan<double> x, float[] weight, float[] bias)
    {
        int outputs = bias.Length, inputs = x.Length;
        var y = new double[outputs];
        for (int o = 0; o < outputs; o++) y[o] = bias[o];
        for (int i = 0; i < inputs; i++)
        {
            double xi = x[i];
            if (xi == 0) continue;
            for (int o = 0; o < outputs; o++) y[o] += xi * weight[i * outputs + o];
        }
        return y;
    }

    public static double[] ToDouble(ReadOnlySpan<float> x)
    {
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = x[i];
        return y;
    }
}

using System.Globalization;
using FreeEnergy.Tensors;

namespace FreeEnergy.Models;

/// <summary>The input rule of every VAE: the model's width, finite values, and [0, 1] for the Bernoulli likelihood.</summary>
internal static class VaeInput
{
    /// <summary>Checks the rows; a <see cref="DataFormatException"/> names the 1-based row and column.</summary>
    public static void Check(MatrixView data, int input, VaeLikelihood likelihood, string what, string? source, string model)
    {
        if (data.Columns != input)
            throw new DataFormatException($"rows have {data.Columns} values; the {model} expects {input}.", source);
        var span = data.Span;
        bool bernoulli = likelihood == VaeLikelihood.Bernoulli;
        for (int i = 0; i < span.Length; i++)
        {
            float v = span[i];
            if (!float.IsFinite(v))
                throw new DataFormatException($"{what} value {v.ToString(CultureInfo.InvariantCulture)} is not a finite number.", source, i / data.Columns + 1, i % data.Columns + 1);
            if (bernoulli && (v < 0f || v > 1f))
                throw new DataFormatException($"{what} value {v.ToString(CultureInfo.InvariantCulture)} is outside [0, 1], which the Bernoulli likelihood needs; scale the data to [0, 1] or use the Gaussian likelihood.",
                    source, i / data.Columns + 1, i % data.Columns + 1);
        }
    }
}

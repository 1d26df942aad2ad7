using FreeEnergy.Tensors;

namespace FreeEnergy.Data.Preprocessing;

/// <summary>
/// Per-column min-max scaling to [0, 1]: x' = (x - min) / (max - min), with min and max fitted on training
/// data and applied unchanged to other data. A constant column (max == min) maps to 0.
/// </summary>
public sealed class MinMaxScaler : MatrixTransform
{
    private MinMaxScaler(float[] minimum, float[] maximum)
    {
        Minimum = minimum;
        Maximum = maximum;
    }

    /// <summary>Per-column minimum seen when fitting.</summary>
    public IReadOnlyList<float> Minimum { get; }

    /// <summary>Per-column maximum seen when fitting.</summary>
    public IReadOnlyList<float> Maximum { get; }

    /// <summary>Clip results to [0, 1] (values of new data outside the fitted range). Default: true, since Bernoulli models need [0, 1].</summary>
    public bool Clip { get; set; } = true;

    /// <summary>Fits the per-column range of <paramref name="data"/> (at least one row).</summary>
    public static MinMaxScaler Fit(Matrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Rows == 0) throw new DataFormatException("cannot fit min-max scaling on data with no rows.");
        var min = data.Row(0).ToArray();
        var max = data.Row(0).ToArray();
        for (int r = 1; r < data.Rows; r++)
        {
            var row = data.Row(r);
            for (int c = 0; c < row.Length; c++)
            {
                float v = row[c];
                if (v < min[c]) min[c] = v;
                if (v > max[c]) max[c] = v;
            }
        }
        return new MinMaxScaler(min, max);
    }

    /// <summary>Creates a scaler from known ranges (e.g. 0 and 255 for bytes).</summary>
    public static MinMaxScaler FromRange(float[] minimum, float[] maximum)
    {
        ArgumentNullException.ThrowIfNull(minimum);
        ArgumentNullException.ThrowIfNull(maximum);
        if (minimum.Length != maximum.Length) throw new ArgumentException("minimum and maximum need the same length.", nameof(maximum));
        for (int c = 0; c < minimum.Length; c++)
            if (!(maximum[c] >= minimum[c])) throw new ArgumentException($"column {c + 1}: maximum {maximum[c]} is below minimum {minimum[c]}.", nameof(maximum));
        return new MinMaxScaler((float[])minimum.Clone(), (float[])maximum.Clone());
    }


    /// <summary>Scales <paramref name="data"/> in place.</summary>
    public override void TransformInPlace(Matrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Columns != Minimum.Count)
            throw new DataFormatException($"the data has {data.Columns} columns but the scaling was fitted on {Minimum.Count}.");
        int columns = data.Columns;
        Span<float> offset = columns <= 1024 ? stackalloc float[columns] : new float[columns];
        Span<float> scale = columns <= 1024 ? stackalloc float[columns] : new float[columns];
        for (int c = 0; c < columns; c++)
        {
            float range = Maximum[c] - Minimum[c];
            offset[c] = Minimum[c];
            scale[c] = range > 0 ? 1f / range : 0f;
        }
        for (int r = 0; r < data.Rows; r++)
        {
            var row = data.Row(r);
            for (int c = 0; c < columns; c++)
            {
                float v = (row[c] - offset[c]) * scale[c];
                if (Clip) v = Math.Clamp(v, 0f, 1f);
                row[c] = v;
            }
        }
    }
}

using FreeEnergy.Tensors;

namespace FreeEnergy.Data;

/// <summary>Rows of features (one row per sample) and optional integer labels.</summary>
public sealed class DataSet
{
    /// <summary>Creates a data set; <paramref name="labels"/> must have one entry per row when given.</summary>
    public DataSet(Matrix features, int[]? labels = null, string? source = null)
    {
        Features = features ?? throw new ArgumentNullException(nameof(features));
        if (labels is not null && labels.Length != features.Rows)
            throw new DataFormatException($"{labels.Length} labels for {features.Rows} rows.", source);
        Labels = labels;
        Source = source;
    }

    /// <summary>The feature matrix (rows x features).</summary>
    public Matrix Features { get; }

    /// <summary>Labels, one per row, or null.</summary>
    public int[]? Labels { get; }

    /// <summary>Where the data came from (a path), for messages.</summary>
    public string? Source { get; }
}

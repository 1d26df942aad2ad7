namespace FreeEnergy.Data;

/// <summary>How <see cref="DataReader"/> reads a data file.</summary>
public sealed class DataReadOptions
{
    /// <summary>A separate label file (IDX or one-column CSV). Default: none, or the MNIST pair's label file when found.</summary>
    public string? LabelsPath { get; set; }

    /// <summary>Keep only rows with this label. Default: all rows.</summary>
    public int? Class { get; set; }

    /// <summary>Read at most this many rows. Default: all.</summary>
    public int? MaxRows { get; set; }

    /// <summary>CSV: the column holding labels (0-based), removed from the features. Default: none.</summary>
    public int? LabelColumn { get; set; }

    /// <summary>CSV separator; null (default) detects ',', ';', tab or whitespace.</summary>
    public char? Separator { get; set; }

    /// <summary>Scale IDX bytes to [0, 1] by dividing by 255. Default: true.</summary>
    public bool ScaleBytes { get; set; } = true;
}

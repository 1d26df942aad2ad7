namespace FreeEnergy.Data;

/// <summary>How <see cref="DataReader"/> reads a data file. Every option has a default that suits MNIST and plain numeric CSV.</summary>
public sealed class DataReadOptions
{
    /// <summary>
    /// A separate label file (IDX, or CSV with one integer per row), one label per data row.
    /// Default: none -- except that an MNIST image file (<c>*-images-idx3-ubyte[.gz]</c>) gets its
    /// <c>*-labels-idx1-ubyte[.gz]</c> partner automatically when that file exists. A count mismatch is an error.
    /// </summary>
    public string? LabelsPath { get; set; }

    /// <summary>Keep only rows with this label (needs labels: a label file or <see cref="LabelColumn"/>). Default: all rows.</summary>
    public int? Class { get; set; }

    /// <summary>Read at most this many rows (counted after the <see cref="Class"/> filter). Default: all.</summary>
    public int? MaxRows { get; set; }

    /// <summary>CSV: the column holding integer labels (0-based), removed from the features. Default: none.</summary>
    public int? LabelColumn { get; set; }

    /// <summary>
    /// The column holding integer labels, by name (removed from the features): a Parquet column, or a CSV column named
    /// in the header. Default: none. Give either this or <see cref="LabelColumn"/>.
    /// </summary>
    public string? LabelColumnName { get; set; }

    /// <summary>CSV separator; null (default) detects the most frequent of ',', ';' and tab in the first line, else runs of whitespace.</summary>
    public char? Separator { get; set; }

    /// <summary>CSV: whether the first line is a header; null (default) detects it (a header has a cell that is not a number).</summary>
    public bool? Header { get; set; }

    /// <summary>Scale IDX unsigned bytes to [0, 1] by dividing by 255. Default: true.</summary>
    public bool ScaleBytes { get; set; } = true;
}

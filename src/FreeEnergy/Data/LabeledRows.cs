namespace FreeEnergy.Data;

/// <summary>
/// A row source joined with its labels (inline, a separate file, or the MNIST pair) and filtered by
/// <see cref="DataReadOptions.Class"/> and <see cref="DataReadOptions.MaxRows"/>: what every read goes through.
/// </summary>
internal sealed class LabeledRows : IDisposable
{
    private readonly IRowSource _source;
    private readonly int[]? _externalLabels;
    private readonly string? _labelsPath;
    private readonly int? _class;
    private readonly long _maxRows;
    private long _sourceRow;

    private LabeledRows(IRowSource source, int[]? externalLabels, string? labelsPath, DataReadOptions options)
    {
        _source = source;
        _externalLabels = externalLabels;
        _labelsPath = labelsPath;
        _class = options.Class;
        _maxRows = options.MaxRows ?? long.MaxValue;
    }

    public string Path => _source.Path;

    public int Columns => _source.Columns;

    public bool HasLabels => _source.HasInlineLabels || _externalLabels is not null;

    /// <summary>Rows returned so far.</summary>
    public long Returned { get; private set; }

    /// <summary>An upper bound on the rows a full read returns, when known up front (IDX).</summary>
    public long? Capacity
    {
        get
        {
            if (_source.DeclaredRows is not { } declared) return null;
            long count = declared;
            if (_class is { } c && _externalLabels is not null)
            {
                count = 0;
                foreach (int l in _externalLabels) if (l == c) count++;
            }
            return Math.Min(count, _maxRows);
        }
    }

    public static LabeledRows Open(string path, DataReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxRows is < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxRows must not be negative.");
        if (options.LabelsPath is not null && options.LabelColumn is not null)
            throw new DataFormatException("give either a label column or a separate label file, not both.", path);

        if (options.LabelColumn is not null && options.LabelColumnName is not null)
            throw new DataFormatException("give the label column either by position or by name, not both.", path);
        IRowSource source = IsParquet(path) ? new ParquetRowSource(path, options.LabelColumnName)
            : IsIdx(path) ? new IdxRowSource(path, options.ScaleBytes)
            : new CsvRowSource(path, options.Separator, options.LabelColumn, options.Header, options.LabelColumnName);
        try
        {
            if (source is IdxRowSource { Dimensions.Length: 1 } labelFile)
                throw new DataFormatException(
                    $"a one-dimensional IDX file ({labelFile.Dimensions[0]} values) holds labels, not features: give it as the label file (LabelsPath / --labels) and the image file as the data.", path);
            string? labelsPath = options.LabelsPath;
            if (labelsPath is null && source is IdxRowSource) labelsPath = MnistLabelFile.Find(path);
            int[]? labels = labelsPath is null ? null : ReadLabels(labelsPath);
            if (labels is not null && source.DeclaredRows is { } declared && labels.Length != declared)
                throw new DataFormatException(
                    $"the label file {labelsPath} has {labels.Length} labels but the data has {declared} rows; they must match one to one.", path);
            if (options.Class is not null && labels is null && !source.HasInlineLabels)
                throw new DataFormatException(
                    $"selecting class {options.Class} needs labels, and this data has none: give a label file (LabelsPath / --labels) or a CSV label column.", path);
            return new LabeledRows(source, labels, labelsPath, options);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Reads the next row that passes the filters; false at the end or once MaxRows rows were returned.</summary>
    public bool Next(Span<float> destination, out int label)
    {
        while (Returned < _maxRows)
        {
            if (!_source.ReadRow(destination, out label))
            {
                if (_externalLabels is not null && _sourceRow != _externalLabels.Length)
                    throw new DataFormatException(
                        $"the label file {_labelsPath} has {_externalLabels.Length} labels but the data has {_sourceRow} rows; they must match one to one.", Path);
                if (_source is IdxRowSource idx) idx.CheckAtEnd();
                return false;
            }
            _sourceRow++;
            if (_externalLabels is not null)
            {
                if (_sourceRow > _externalLabels.Length)
                    throw new DataFormatException(
                        $"the label file {_labelsPath} has {_externalLabels.Length} labels but the data has more rows; they must match one to one.", Path, _sourceRow);
                label = _externalLabels[_sourceRow - 1];
            }
            if (_class is { } c && label != c) continue;
            Returned++;
            return true;
        }
        label = -1;
        return false;
    }

    /// <summary>A .parquet (.parq, .pq) name, or content starting with Parquet's magic "PAR1".</summary>
    private static bool IsParquet(string path)
    {
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".parquet" or ".parq" or ".pq") return true;
        if (extension is ".csv" or ".tsv" or ".txt" or ".gz" or ".idx" || !File.Exists(path)) return false;
        using var file = DataFileOpener.OpenFile(path);
        Span<byte> magic = stackalloc byte[4];
        return file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("PAR1"u8);
    }

    private static bool IsIdx(string path)
    {
        string name = System.IO.Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".gz", StringComparison.Ordinal)) name = name[..^3];
        if (name.EndsWith(".csv", StringComparison.Ordinal) || name.EndsWith(".tsv", StringComparison.Ordinal) || name.EndsWith(".txt", StringComparison.Ordinal))
            return false;
        if (name.EndsWith(".idx", StringComparison.Ordinal) || name.Contains("-ubyte", StringComparison.Ordinal) || name.Contains(".idx", StringComparison.Ordinal))
            return true;
        return DataFileOpener.LooksLikeIdx(path);
    }

    private static int[] ReadLabels(string labelsPath)
    {
        if (IsIdx(labelsPath)) return IdxRowSource.ReadLabels(labelsPath);
        using var csv = new CsvRowSource(labelsPath, separator: null, labelColumn: null);
        if (csv.Columns != 1)
            throw new DataFormatException($"a label file must have one column, but its rows have {csv.Columns}.", labelsPath);
        var labels = new List<int>();
        Span<float> value = stackalloc float[1];
        while (csv.ReadRow(value, out _)) labels.Add(LabelValue.ToLabel(value[0], labelsPath, csv.RowsRead, 1));
        return labels.ToArray();
    }

    public void Dispose() => _source.Dispose();
}

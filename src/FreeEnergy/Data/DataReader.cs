using FreeEnergy.Tensors;

namespace FreeEnergy.Data;

/// <summary>
/// Reads data files: CSV (.csv, .tsv, .txt; header and separator detected), IDX (.idx, .idx.gz, MNIST's
/// -ubyte names, plain or gzipped -- gzip is recognised by its magic bytes), and an MNIST image file's
/// matching label file. Every failure is a <see cref="DataFormatException"/> naming the file, row and column.
/// </summary>
/// <remarks>
/// Files whose name says neither CSV nor IDX are sniffed: content starting with an IDX magic number
/// (<c>00 00 type ndims</c>) is IDX, anything else CSV. IDX rows are the slices along the first dimension,
/// flattened (an MNIST image file reads as N x 784). With <see cref="DataReadOptions.Class"/>,
/// <see cref="DataReadOptions.MaxRows"/> counts the rows kept.
/// </remarks>
public static class DataReader
{
    private const long InitialValues = 1 << 24;

    /// <summary>Reads <paramref name="path"/> into a data set (labels included when the file or a label file has them).</summary>
    /// <exception cref="DataFormatException">The file is missing, malformed, has no data rows (or none of the requested class), or its labels do not match.</exception>
    public static DataSet Read(string path, DataReadOptions? options = null)
    {
        options ??= new DataReadOptions();
        using var rows = LabeledRows.Open(path, options);
        int columns = rows.Columns;
        // The header's row count (IDX) bounds the growth, but the first allocation is capped too: a corrupt
        // gzipped header could declare billions of rows, and that must fail as truncation, not as out-of-memory.
        long limit = rows.Capacity is { } capacity ? Math.Max(1, capacity) * Math.Max(1, columns) : long.MaxValue;
        long initial = rows.Capacity is null ? 1024L * columns : Math.Min(limit, InitialValues);
        var data = new float[(int)Math.Min(initial, Array.MaxLength)];
        var labels = rows.HasLabels ? new int[Math.Max(1, data.Length / Math.Max(1, columns))] : null;
        int count = 0;
        while (true)
        {
            long needed = (long)(count + 1) * columns;
            if (needed > data.Length)
            {
                if (needed > Array.MaxLength)
                    throw new DataFormatException($"the data is too large to read at once ({count} rows of {columns} values); use DataReader.ReadBatches.", path);
                Array.Resize(ref data, (int)Math.Min(Math.Max(needed, Math.Min(2L * data.Length, limit)), Array.MaxLength));
            }
            if (!rows.Next(data.AsSpan(count * columns, columns), out int label)) break;
            if (labels is not null)
            {
                if (count == labels.Length) Array.Resize(ref labels, (int)Math.Min(2L * labels.Length, Array.MaxLength));
                labels[count] = label;
            }
            count++;
        }
        if (count == 0 && options.MaxRows != 0)
            throw new DataFormatException(
                options.Class is { } c ? $"no rows have class {c}." : "the file has no data rows.", path);
        if (data.Length != count * columns) Array.Resize(ref data, count * columns);
        if (labels is not null && labels.Length != count) Array.Resize(ref labels, count);
        return new DataSet(new Matrix(count, columns, data), labels, path);
    }

    /// <summary>
    /// Reads <paramref name="path"/> in batches of at most <paramref name="batchRows"/> rows, holding one
    /// batch in memory at a time (for scoring files too large to load). The same checks as <see cref="Read"/> apply.
    /// </summary>
    public static IEnumerable<Matrix> ReadBatches(string path, int batchRows, DataReadOptions? options = null)
    {
        foreach (var batch in ReadLabeledBatches(path, batchRows, options)) yield return batch.Features;
    }

    /// <summary>As <see cref="ReadBatches"/>, with each batch's labels (null when the data has none).</summary>
    /// <param name="path">The data file.</param>
    /// <param name="batchRows">The most rows a batch holds.</param>
    /// <param name="options">What to read (labels, class, row limit); default: everything.</param>
    /// <param name="reuseBuffers">
    /// Write every full batch into the same arrays, so that a streaming consumer touches no fresh memory per batch (each
    /// fresh array costs the operating system's page faults: about a quarter of the CPU time of scoring a 784-wide file).
    /// A batch is then valid only until the next one is read. Default: false (every batch is its own).
    /// </param>
    public static IEnumerable<DataSet> ReadLabeledBatches(string path, int batchRows, DataReadOptions? options = null, bool reuseBuffers = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchRows, 1);
        options ??= new DataReadOptions();
        return Iterate(path, batchRows, options, reuseBuffers);
    }

    private static IEnumerable<DataSet> Iterate(string path, int batchRows, DataReadOptions options, bool reuseBuffers)
    {
        using var rows = LabeledRows.Open(path, options);
        int columns = rows.Columns;
        float[]? shared = null;
        int[]? sharedLabels = null;
        while (true)
        {
            var data = reuseBuffers ? shared ??= new float[checked(batchRows * columns)] : new float[checked(batchRows * columns)];
            var labels = !rows.HasLabels ? null : reuseBuffers ? sharedLabels ??= new int[batchRows] : new int[batchRows];
            int count = 0;
            while (count < batchRows && rows.Next(data.AsSpan(count * columns, columns), out int label))
            {
                if (labels is not null) labels[count] = label;
                count++;
            }
            if (count == 0) yield break;
            if (count < batchRows)
            {
                Array.Resize(ref data, count * columns);
                if (labels is not null) Array.Resize(ref labels, count);
            }
            yield return new DataSet(new Matrix(count, columns, data), labels, path);
            if (count < batchRows) yield break;
        }
    }
}

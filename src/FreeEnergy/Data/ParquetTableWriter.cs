using Parquet;
using Parquet.Schema;

namespace FreeEnergy.Data;

/// <summary>
/// Writes rows of named double columns to a Parquet file as they come: rows are buffered and written as a row group
/// once 2^18 values (2 MiB of doubles) are held, so memory stays bounded whatever the row count, for the writer and for
/// readers, which decode a row group at a time. Call <see cref="Complete"/>
/// after the last row (the output stream is left open; an atomic caller discards it on failure).
/// </summary>
internal sealed class ParquetTableWriter : IDisposable
{
    private const int ValuesPerGroup = 1 << 18;

    private readonly Stream _output;
    private readonly DataField<double>[] _fields;
    private readonly double[][] _columns;
    private ParquetWriter? _writer;
    private int _rows;

    /// <summary>A writer of the columns <paramref name="names"/> to <paramref name="output"/> (writable and seekable; left open).</summary>
    public ParquetTableWriter(Stream output, IReadOnlyList<string> names)
    {
        ArgumentOutOfRangeException.ThrowIfZero(names.Count);
        _output = output;
        _fields = names.Select(n => new DataField<double>(n)).ToArray();
        int groupRows = Math.Max(1, ValuesPerGroup / names.Count);
        _columns = names.Select(_ => new double[groupRows]).ToArray();
    }

    /// <summary>Appends one row (one value per column).</summary>
    public void Append(ReadOnlySpan<double> row)
    {
        if (row.Length != _columns.Length) throw new ArgumentException($"a row has {_columns.Length} values, not {row.Length}.", nameof(row));
        for (int c = 0; c < row.Length; c++) _columns[c][_rows] = row[c];
        if (++_rows == _columns[0].Length) Flush();
    }

    /// <summary>Writes the buffered rows and the file footer.</summary>
    public void Complete()
    {
        if (_rows > 0 || _writer is null) Flush();
        _writer!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _writer = null;
    }

    private void Flush()
    {
        _writer ??= ParquetWriter.CreateAsync(new ParquetSchema(_fields), _output, ParquetFormat.Options()).GetAwaiter().GetResult();
        using var group = _writer.CreateRowGroup();
        for (int c = 0; c < _fields.Length; c++)
            group.WriteAsync<double>(_fields[c], _columns[c].AsMemory(0, _rows)).GetAwaiter().GetResult();
        _rows = 0;
    }

    public void Dispose() => _writer?.DisposeAsync().AsTask().GetAwaiter().GetResult();
}

using System.Globalization;
using System.Text;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Data;

namespace FreeEnergy.Cli.Commands;

/// <summary>
/// A verb's --out table, written row by row and atomically (a temporary file renamed only on success): Parquet (double
/// columns) when the path ends with .parquet, else CSV with a header line and invariant-culture numbers.
/// </summary>
internal sealed class TableOutput
{
    private readonly ParquetTableWriter? _parquet;
    private readonly TextWriter? _csv;
    private readonly StringBuilder _line = new();

    private TableOutput(ParquetTableWriter? parquet, TextWriter? csv)
    {
        _parquet = parquet;
        _csv = csv;
    }

    /// <summary>Writes the table with columns <paramref name="header"/> to <paramref name="path"/>; <paramref name="write"/> appends the rows.</summary>
    public static void Write(string path, IReadOnlyList<string> header, Action<TableOutput> write)
    {
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
            AtomicFile.Write(path, stream =>
            {
                using var parquet = new ParquetTableWriter(stream, header);
                write(new TableOutput(parquet, null));
                parquet.Complete();
            });
        else
            AtomicFile.WriteText(path, writer =>
            {
                writer.WriteLine(string.Join(",", header));
                write(new TableOutput(null, writer));
            });
    }

    /// <summary>Appends one row, one value per column.</summary>
    public void Append(ReadOnlySpan<double> row)
    {
        if (_parquet is not null) { _parquet.Append(row); return; }
        _line.Clear();
        for (int c = 0; c < row.Length; c++)
        {
            if (c > 0) _line.Append(',');
            _line.Append(row[c].ToString("G9", CultureInfo.InvariantCulture));
        }
        _csv!.WriteLine(_line);
    }
}

using System.Globalization;
using System.Text;

namespace FreeEnergy.Data;

/// <summary>
/// Reads a CSV file row by row: separator and header detected from the first non-empty line, blank lines
/// skipped, every cell checked to be a finite invariant-culture number, every row checked to have the
/// width of the first. Rows are numbered from 1 not counting the header (the message also gives the line).
/// </summary>
internal sealed class CsvRowSource : IRowSource
{
    private readonly LineReader _lines;
    private readonly CsvLayout _layout;
    private readonly int _labelColumn;
    private long _row;
    private bool _pendingFirst;
    private string _firstLine = "";
    private long _firstLineNumber;

    public CsvRowSource(string path, char? separator, int? labelColumn, bool? header = null, string? labelColumnName = null)
    {
        Path = path;
        var stream = DataFileOpener.Open(path);
        _lines = new LineReader(new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16));
        try
        {
            if (!TryReadNonEmpty(out var first))
                throw new DataFormatException("the file is empty: there are no rows to read.", path);
            _layout = CsvLayout.Detect(first, separator, header);
            if (labelColumnName is not null) labelColumn = ColumnNamed(first, labelColumnName);
            _labelColumn = labelColumn ?? -1;
            if (labelColumn is { } lc && (lc < 0 || lc >= _layout.Columns))
                throw new DataFormatException(
                    $"the label column {lc} (0-based) does not exist: rows have {_layout.Columns} columns ({_layout.SeparatorName}-separated).", path);
            if (_layout.Columns - (_labelColumn >= 0 ? 1 : 0) < 1)
                throw new DataFormatException("rows have no feature columns besides the label column.", path);
            Columns = _layout.Columns - (_labelColumn >= 0 ? 1 : 0);
            if (!_layout.Header)
            {
                _pendingFirst = true;
                _firstLine = first.ToString();
                _firstLineNumber = _lines.LineNumber;
            }
        }
        catch (InvalidDataException ex)
        {
            _lines.Dispose();
            throw new DataFormatException($"the gzip data is corrupt: {ex.Message}", path, innerException: ex);
        }
        catch
        {
            _lines.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public int Columns { get; }

    public long? DeclaredRows => null;

    public bool HasInlineLabels => _labelColumn >= 0;

    /// <summary>True when the first line was taken as a header.</summary>
    public bool HasHeader => _layout.Header;

    /// <summary>The number of data rows read so far.</summary>
    public long RowsRead => _row;

    public bool ReadRow(Span<float> destination, out int label)
    {
        ReadOnlySpan<char> line;
        long lineNumber;
        if (_pendingFirst)
        {
            _pendingFirst = false;
            line = _firstLine;
            lineNumber = _firstLineNumber;
        }
        else
        {
            try
            {
                if (!TryReadNonEmpty(out line)) { label = -1; return false; }
            }
            catch (InvalidDataException ex)
            {
                throw new DataFormatException($"the gzip data is corrupt: {ex.Message}", Path, _row + 1, innerException: ex);
            }
            lineNumber = _lines.LineNumber;
        }
        _row++;
        Parse(line, destination, lineNumber, out label);
        return true;
    }

    private void Parse(ReadOnlySpan<char> line, Span<float> destination, long lineNumber, out int label)
    {
        label = -1;
        var cells = new CsvCells(line, _layout.Separator);
        int column = 0, feature = 0;
        while (cells.MoveNext(out var cell))
        {
            if (column >= _layout.Columns)
            {
                column++;
                while (cells.MoveNext(out _)) column++;
                throw Ragged(column, lineNumber);
            }
            if (!CsvNumber.TryParse(cell, out float value))
                throw new DataFormatException(
                    cell.Length == 0
                        ? $"the cell is empty; every cell must be a number (line {lineNumber})."
                        : $"'{Shorten(cell)}' is not a number (invariant culture: '.' decimal point, {_layout.SeparatorName} separator; line {lineNumber}).",
                    Path, _row, column + 1);
            if (!float.IsFinite(value))
                throw new DataFormatException(
                    $"'{Shorten(cell)}' is not a finite number (NaN, infinity or beyond float range); remove or impute missing values first (line {lineNumber}).",
                    Path, _row, column + 1);
            if (column == _labelColumn) label = LabelValue.ToLabel(value, Path, _row, column + 1);
            else destination[feature++] = value;
            column++;
        }
        if (column != _layout.Columns) throw Ragged(column, lineNumber);
    }

    /// <summary>The 0-based position of the header cell <paramref name="name"/> (surrounding quotes and spaces ignored).</summary>
    private int ColumnNamed(ReadOnlySpan<char> headerLine, string name)
    {
        if (!_layout.Header)
            throw new DataFormatException($"the label column is given by name ('{name}') but the file has no header line; give its position instead.", Path);
        var cells = new CsvCells(headerLine, _layout.Separator);
        var names = new List<string>();
        while (cells.MoveNext(out var cell))
        {
            if (cell.Trim().Trim('"').SequenceEqual(name)) return names.Count;
            names.Add(cell.ToString());
        }
        throw new DataFormatException($"there is no column named '{name}' for the labels (header: {string.Join(", ", names)}).", Path);
    }

    private DataFormatException Ragged(int columns, long lineNumber)
        => new($"row {_row} has {columns} columns, expected {_layout.Columns} like the {(_layout.Header ? "header" : "first row")} ({_layout.SeparatorName}-separated; line {lineNumber}).",
            Path, _row);

    private static string Shorten(ReadOnlySpan<char> cell) => cell.Length <= 40 ? cell.ToString() : cell[..40].ToString() + "...";

    private bool TryReadNonEmpty(out ReadOnlySpan<char> line)
    {
        while (_lines.TryReadLine(out line))
        {
            if (!line.Trim(" \t").IsEmpty) return true;
        }
        return false;
    }

    public void Dispose() => _lines.Dispose();
}

using System.Globalization;

namespace FreeEnergy.Data;

/// <summary>How a CSV file's cells are separated, and whether its first line is a header.</summary>
internal readonly record struct CsvLayout(char Separator, bool Header, int Columns)
{
    /// <summary>Marks "runs of spaces or tabs" as the separator.</summary>
    public const char Whitespace = ' ';

    /// <summary>
    /// Detects the layout from the first non-empty line: the separator is the most frequent of ',', ';' and
    /// tab (whitespace when none occurs), and the line is a header when any cell is not a number.
    /// </summary>
    public static CsvLayout Detect(ReadOnlySpan<char> firstLine, char? separator, bool? header = null)
    {
        char sep = separator ?? DetectSeparator(firstLine);
        int columns = 0;
        bool detected = false;
        var cells = new CsvCells(firstLine, sep);
        while (cells.MoveNext(out var cell))
        {
            columns++;
            if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) detected = true;
        }
        return new CsvLayout(sep, header ?? detected, columns);
    }

    private static char DetectSeparator(ReadOnlySpan<char> line)
    {
        int commas = 0, semicolons = 0, tabs = 0;
        foreach (char c in line)
        {
            if (c == ',') commas++;
            else if (c == ';') semicolons++;
            else if (c == '\t') tabs++;
        }
        if (commas == 0 && semicolons == 0 && tabs == 0) return Whitespace;
        if (tabs >= commas && tabs >= semicolons) return '\t';
        return semicolons > commas ? ';' : ',';
    }

    /// <summary>The separator as words, for messages.</summary>
    public string SeparatorName => Separator switch { ',' => "','", ';' => "';'", '\t' => "tab", Whitespace => "whitespace", _ => $"'{Separator}'" };
}

/// <summary>Splits one CSV line into trimmed cells (surrounding double quotes removed) without allocating.</summary>
internal ref struct CsvCells
{
    private ReadOnlySpan<char> _rest;
    private readonly char _separator;
    private bool _done;

    public CsvCells(ReadOnlySpan<char> line, char separator)
    {
        _separator = separator;
        _rest = separator == CsvLayout.Whitespace ? line.Trim(" \t") : line;
        _done = false;
    }

    public bool MoveNext(out ReadOnlySpan<char> cell)
    {
        if (_done) { cell = default; return false; }
        int index;
        if (_separator == CsvLayout.Whitespace)
        {
            index = _rest.IndexOfAny(' ', '\t');
            if (index < 0) { cell = _rest; _done = true; }
            else
            {
                cell = _rest[..index];
                _rest = _rest[(index + 1)..].TrimStart(" \t");
            }
        }
        else
        {
            index = _rest.IndexOf(_separator);
            if (index < 0) { cell = _rest; _done = true; }
            else
            {
                cell = _rest[..index];
                _rest = _rest[(index + 1)..];
            }
        }
        cell = cell.Trim(" \t");
        if (cell.Length >= 2 && cell[0] == '"' && cell[^1] == '"') cell = cell[1..^1].Trim(' ');
        return true;
    }
}

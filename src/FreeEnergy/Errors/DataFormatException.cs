namespace FreeEnergy;

/// <summary>Input data that cannot be used: malformed files, non-numeric or non-finite cells, wrong widths.</summary>
public sealed class DataFormatException : FreeEnergyException
{
    /// <summary>Creates the exception; location parts that are unknown are left null.</summary>
    public DataFormatException(string message, string? file = null, long? row = null, int? column = null, Exception? innerException = null)
        : base(Compose(message, file, row, column), innerException ?? new InvalidDataException(message))
    {
        Reason = message;
        File = file;
        Row = row;
        Column = column;
    }

    /// <summary>The message without the file, row and column prefix.</summary>
    public string Reason { get; }

    /// <summary>The file the problem is in, when known.</summary>
    public string? File { get; }

    /// <summary>The 1-based data row (not counting a header), when known.</summary>
    public long? Row { get; }

    /// <summary>The 1-based column, when known.</summary>
    public int? Column { get; }

    private static string Compose(string message, string? file, long? row, int? column)
    {
        var where = new List<string>(3);
        if (file is not null) where.Add(file);
        if (row is not null) where.Add($"row {row}");
        if (column is not null) where.Add($"column {column}");
        return where.Count == 0 ? message : $"{string.Join(", ", where)}: {message}";
    }
}

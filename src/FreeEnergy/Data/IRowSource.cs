namespace FreeEnergy.Data;

/// <summary>A file read one row at a time (CSV or IDX), so whole-file and batched reads share one parser.</summary>
internal interface IRowSource : IDisposable
{
    /// <summary>The file, for messages.</summary>
    string Path { get; }

    /// <summary>Feature columns per row (after removing a CSV label column).</summary>
    int Columns { get; }

    /// <summary>The number of rows when the file says so up front (IDX); null for CSV.</summary>
    long? DeclaredRows { get; }

    /// <summary>True when each row carries its own label (a CSV label column).</summary>
    bool HasInlineLabels { get; }

    /// <summary>Reads the next row into <paramref name="destination"/> (length <see cref="Columns"/>); false at the end.</summary>
    bool ReadRow(Span<float> destination, out int label);
}

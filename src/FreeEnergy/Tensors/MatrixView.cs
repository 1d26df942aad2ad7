namespace FreeEnergy.Tensors;

/// <summary>
/// A window of consecutive rows of a row-major array: <see cref="Rows"/> x <see cref="Columns"/> values
/// starting at <see cref="Offset"/>. Views never copy.
/// </summary>
public readonly struct MatrixView
{
    /// <summary>Creates a view over <paramref name="array"/>.</summary>
    public MatrixView(float[] array, int offset, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (offset < 0 || rows < 0 || columns < 0 || (long)offset + (long)rows * columns > array.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"A {rows}x{columns} view at offset {offset} does not fit in {array.Length} values.");
        Array = array;
        Offset = offset;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>The underlying storage.</summary>
    public float[] Array { get; }

    /// <summary>Index of the first element in <see cref="Array"/>.</summary>
    public int Offset { get; }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns (also the row stride).</summary>
    public int Columns { get; }

    /// <summary>The viewed values as one contiguous span.</summary>
    public Span<float> Span => Array.AsSpan(Offset, Rows * Columns);

    /// <summary>One row of the view.</summary>
    public Span<float> Row(int row)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row));
        return Array.AsSpan(Offset + row * Columns, Columns);
    }

    /// <summary>A sub-view of <paramref name="count"/> rows starting at <paramref name="start"/>.</summary>
    public MatrixView RowRange(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Rows)
            throw new ArgumentOutOfRangeException(nameof(start), $"Rows [{start}, {start + count}) are outside 0..{Rows}.");
        return new MatrixView(Array, Offset + start * Columns, count, Columns);
    }

    /// <summary>Copies the view into a new owning matrix.</summary>
    public Matrix ToMatrix()
    {
        var m = new Matrix(Rows, Columns);
        Span.CopyTo(m.Data);
        return m;
    }
}

namespace FreeEnergy.Tensors;

/// <summary>
/// A dense, row-major matrix of <see cref="float"/> values that owns its storage.
/// Row <c>r</c> occupies <c>Data[r * Columns .. (r + 1) * Columns)</c>.
/// </summary>
public sealed class Matrix
{
    /// <summary>Creates a zero-filled matrix.</summary>
    /// <param name="rows">Number of rows (zero or more).</param>
    /// <param name="columns">Number of columns (zero or more).</param>
    public Matrix(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        Rows = rows;
        Columns = columns;
        Data = new float[checked(rows * columns)];
    }

    /// <summary>Wraps an existing array of exactly <paramref name="rows"/> x <paramref name="columns"/> values (no copy).</summary>
    public Matrix(int rows, int columns, float[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != checked(rows * columns))
            throw new ArgumentException($"Expected {rows * columns} values for a {rows}x{columns} matrix, got {data.Length}.", nameof(data));
        Rows = rows;
        Columns = columns;
        Data = data;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>The row-major storage; its length is <see cref="Rows"/> x <see cref="Columns"/>.</summary>
    public float[] Data { get; }

    /// <summary>Gets or sets the element at (<paramref name="row"/>, <paramref name="column"/>).</summary>
    public float this[int row, int column]
    {
        get => Data[Index(row, column)];
        set => Data[Index(row, column)] = value;
    }

    /// <summary>The whole storage as a span.</summary>
    public Span<float> AsSpan() => Data;

    /// <summary>One row as a span.</summary>
    public Span<float> Row(int row)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row));
        return Data.AsSpan(row * Columns, Columns);
    }

    /// <summary>A view of the whole matrix.</summary>
    public MatrixView View => new(Data, 0, Rows, Columns);

    /// <summary>A view of <paramref name="count"/> consecutive rows starting at <paramref name="start"/>.</summary>
    public MatrixView RowRange(int start, int count) => View.RowRange(start, count);

    /// <summary>A deep copy.</summary>
    public Matrix Clone() => new(Rows, Columns, (float[])Data.Clone());

    /// <summary>Creates a matrix from a jagged array of equal-length rows (convenient for tests and small data).</summary>
    public static Matrix FromRows(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int columns = rows.Count == 0 ? 0 : rows[0].Length;
        var m = new Matrix(rows.Count, columns);
        for (int r = 0; r < rows.Count; r++)
        {
            if (rows[r].Length != columns)
                throw new ArgumentException($"Row {r} has {rows[r].Length} values; row 0 has {columns}.", nameof(rows));
            rows[r].CopyTo(m.Data, r * columns);
        }
        return m;
    }

    /// <inheritdoc />
    public override string ToString() => $"Matrix {Rows}x{Columns}";

    private int Index(int row, int column)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row));
        if ((uint)column >= (uint)Columns) throw new ArgumentOutOfRangeException(nameof(column));
        return row * Columns + column;
    }
}

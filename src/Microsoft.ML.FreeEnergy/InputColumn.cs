using FreeEnergy.Tensors;
using Microsoft.ML.Data;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// Checks and reads the input vector column through the public IDataView API: it must exist and be a known-size
/// vector of Single; the training rows must be finite. Every error names the column.
/// </summary>
internal static class InputColumn
{
    /// <summary>The column's width; an exception naming the column when it is missing or not a known-size Single vector.</summary>
    public static int CheckedWidth(DataViewSchema schema, string column)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var found = schema.GetColumnOrNull(column)
            ?? throw new ArgumentOutOfRangeException(nameof(column), column, $"Input column '{column}' was not found in the data (columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}).");
        return CheckedWidth(found.Type, column);
    }

    /// <summary>The width of a column of type <paramref name="type"/>; an exception naming the column when it is not a known-size Single vector.</summary>
    public static int CheckedWidth(DataViewType type, string column)
    {
        if (type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(column), column, $"Input column '{column}' must be a vector of Single, but its type is {type}.");
        if (!vector.IsKnownSize)
            throw new ArgumentOutOfRangeException(nameof(column), column, $"Input column '{column}' must be a vector of known size, but it is variable-length ({type}); give it a fixed size (for example [VectorType(784)]).");
        return vector.Size;
    }

    /// <summary>Checks the column at schema-shape level (for <c>GetOutputSchema</c> on an estimator).</summary>
    public static void Check(SchemaShape schema, string column)
    {
        SchemaShape.Column? match = null;
        foreach (var candidate in schema)
            if (candidate.Name == column) match = candidate; // the last one wins, as in a DataViewSchema
        if (match is not SchemaShape.Column found)
            throw new ArgumentOutOfRangeException(nameof(column), column, $"Input column '{column}' was not found in the data.");
        if (found.Kind != SchemaShape.Column.VectorKind.Vector || found.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(column), column, $"Input column '{column}' must be a known-size vector of Single, but it is {found.Kind} of {found.ItemType}.");
    }

    /// <summary>Reads every row of <paramref name="column"/> into a matrix; an exception naming column, row and slot for a NaN or infinity.</summary>
    public static Matrix Read(IDataView data, string column)
    {
        ArgumentNullException.ThrowIfNull(data);
        int width = CheckedWidth(data.Schema, column);
        long? known = data.GetRowCount();
        var values = new List<float>(known is long n && n * width < int.MaxValue ? (int)(n * width) : 0);
        int rows = 0;
        ReadBlocks(data, column, ReadBlockRows, block =>
        {
            for (int r = 0; r < block.Rows; r++, rows++)
            {
                var row = block.Row(r);
                for (int j = 0; j < width; j++)
                {
                    if (!float.IsFinite(row[j]))
                        throw new InvalidOperationException($"Input column '{column}' row {rows} slot {j} holds {row[j]}; the training data must be finite (remove or replace missing values first, e.g. with ReplaceMissingValues).");
                }
                if (rows >= int.MaxValue / Math.Max(1, width))
                    throw new InvalidOperationException($"Input column '{column}' holds too many rows to train on in memory.");
                values.AddRange(row);
            }
        });
        if (rows == 0) throw new InvalidOperationException($"Input column '{column}' has no rows to train on.");
        return new Matrix(rows, width, values.ToArray());
    }

    /// <summary>Rows per block when a whole column is read.</summary>
    private const int ReadBlockRows = 1024;

    /// <summary>
    /// Reads <paramref name="column"/> in blocks of at most <paramref name="blockRows"/> rows and hands each block to
    /// <paramref name="block"/> (the view is reused for the next block); memory stays at one block whatever the row count.
    /// </summary>
    public static void ReadBlocks(IDataView data, string column, int blockRows, Action<MatrixView> block)
    {
        ArgumentNullException.ThrowIfNull(data);
        int width = CheckedWidth(data.Schema, column);
        var schemaColumn = data.Schema[column];
        var buffer = new Matrix(blockRows, width);
        VBuffer<float> row = default;
        int filled = 0;
        using var cursor = data.GetRowCursor(new[] { schemaColumn });
        var getter = cursor.GetGetter<VBuffer<float>>(schemaColumn);
        while (cursor.MoveNext())
        {
            getter(ref row);
            if (row.Length != width)
                throw new InvalidOperationException($"Input column '{column}' row {cursor.Position} has {row.Length} values, expected {width}.");
            row.CopyTo(buffer.Row(filled));
            if (++filled == blockRows)
            {
                block(buffer.View);
                filled = 0;
            }
        }
        if (filled > 0) block(buffer.View.RowRange(0, filled));
    }
}

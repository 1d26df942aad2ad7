using System.Buffers;
using System.Numerics;
using Parquet;
using Parquet.Schema;

namespace FreeEnergy.Data;

/// <summary>
/// Reads an Apache Parquet file row by row, one row group in memory at a time: every top-level numeric column
/// (float, double or integer) is a feature, except the label column named by <see cref="DataReadOptions.LabelColumnName"/>.
/// A non-numeric, nested or repeated column, a null, or a non-finite value is a <see cref="DataFormatException"/>
/// naming the file, the row and the column (1-based, in the file's schema order, with its name).
/// </summary>
internal sealed class ParquetRowSource : IRowSource
{
    private readonly FileStream _file;
    private readonly ParquetReader _reader;
    private readonly DataField[] _features;
    private readonly DataField? _label;
    private readonly int[] _schemaColumns; // 1-based schema position of each feature, then of the label
    private float[] _values = [];          // the current row group, column-major
    private int[] _labels = [];
    private int _group = -1;
    private long _groupRows;
    private long _groupStart;              // rows before the current group
    private long _inGroup;

    public ParquetRowSource(string path, string? labelColumnName)
    {
        Path = path;
        _file = DataFileOpener.OpenFile(path);
        try
        {
            _reader = Run(() => ParquetReader.CreateAsync(_file, ParquetFormat.Options(), leaveStreamOpen: true), null);
            var fields = _reader.Schema.Fields;
            var features = new List<DataField>();
            var positions = new List<int>();
            int labelPosition = 0;
            for (int i = 0; i < fields.Count; i++)
            {
                if (fields[i] is not DataField field || field.IsArray)
                    throw new DataFormatException($"column '{fields[i].Name}' is nested or repeated; every column must hold one number per row.", path, column: i + 1);
                if (field.Name == labelColumnName) { _label = field; labelPosition = i + 1; continue; }
                if (!IsNumeric(field.ClrType))
                    throw new DataFormatException(
                        $"column '{field.Name}' holds {field.ClrType.Name} values; feature columns must be numbers (float, double or integer): drop it, or name it as the label column.",
                        path, column: i + 1);
                features.Add(field);
                positions.Add(i + 1);
            }
            if (labelColumnName is not null && _label is null)
                throw new DataFormatException($"there is no column named '{labelColumnName}' for the labels (columns: {string.Join(", ", fields.Select(f => f.Name))}).", path);
            if (_label is not null && !IsNumeric(_label.ClrType))
                throw new DataFormatException($"the label column '{_label.Name}' holds {_label.ClrType.Name} values; labels must be integers.", path, column: labelPosition);
            if (features.Count == 0)
                throw new DataFormatException("the file has no feature columns" + (_label is null ? "." : " besides the label column."), path);
            _features = features.ToArray();
            positions.Add(labelPosition);
            _schemaColumns = positions.ToArray();
            Columns = _features.Length;
        }
        catch
        {
            _reader?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _file.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public int Columns { get; }

    public long? DeclaredRows => null;

    public bool HasInlineLabels => _label is not null;

    public bool ReadRow(Span<float> destination, out int label)
    {
        label = -1;
        while (_inGroup == _groupRows)
        {
            if (_group + 1 >= _reader.RowGroupCount) return false;
            LoadGroup(_group + 1);
        }
        for (int c = 0; c < Columns; c++) destination[c] = _values[c * _groupRows + _inGroup];
        if (_label is not null) label = _labels[_inGroup];
        _inGroup++;
        return true;
    }

    private void LoadGroup(int group)
    {
        _groupStart += _groupRows;
        _group = group;
        using var rows = _reader.OpenRowGroupReader(group);
        int count = checked((int)rows.RowCount);
        if ((long)count * Columns > Array.MaxLength)
            throw new DataFormatException($"row group {group} has {count} rows of {Columns} columns, too many to hold at once; rewrite the file with smaller row groups.", Path);
        if (_values.Length < count * Columns) _values = new float[count * Columns];
        for (int c = 0; c < Columns; c++)
        {
            var destination = _values.AsMemory(c * count, count);
            ReadColumn(rows, _features[c], _schemaColumns[c], count, value =>
            {
                float f = (float)value;
                return float.IsFinite(f) ? f : throw new FormatException($"{value.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not a finite float (NaN, infinity or beyond float range); remove or impute missing values first.");
            }, destination);
        }
        if (_label is not null)
        {
            if (_labels.Length < count) _labels = new int[count];
            long row = _groupStart;
            ReadColumn(rows, _label, _schemaColumns[Columns], count, value => LabelValue.ToLabel(value, Path, ++row, _schemaColumns[Columns]), _labels.AsMemory(0, count));
        }
        _groupRows = count;
        _inGroup = 0;
    }

    /// <summary>Reads one column chunk into <paramref name="destination"/> through <paramref name="convert"/>; nulls and conversion failures name the row and column.</summary>
    private void ReadColumn<TOut>(ParquetRowGroupReader rows, DataField field, int position, int count, Func<double, TOut> convert, Memory<TOut> destination)
    {
        switch (Type.GetTypeCode(field.ClrType))
        {
            case TypeCode.Double: Read<double, TOut>(rows, field, position, count, convert, destination); break;
            case TypeCode.Single: Read<float, TOut>(rows, field, position, count, convert, destination); break;
            case TypeCode.Int32: Read<int, TOut>(rows, field, position, count, convert, destination); break;
            case TypeCode.Int64: Read<long, TOut>(rows, field, position, count, convert, destination); break;
            case TypeCode.Int16: Read<short, TOut>(rows, field, position, count, convert, destination); break;
            case TypeCode.UInt16: Read<ushort, TOut>(rows, field, position, count, convert, destination); break;
            case TypeCode.UInt32: Read<uint, TOut>(rows, field, position, count, convert, destination); break;
            case TypeCode.Byte: Read<byte, TOut>(rows, field, position, count, convert, destination); break;
            case TypeCode.SByte: Read<sbyte, TOut>(rows, field, position, count, convert, destination); break;
            default: throw new DataFormatException($"column '{field.Name}' holds {field.ClrType.Name} values, which are not numbers.", Path, column: position);
        }
    }

    private void Read<T, TOut>(ParquetRowGroupReader rows, DataField field, int position, int count, Func<double, TOut> convert, Memory<TOut> destination)
        where T : struct, INumber<T>
    {
        var span = destination.Span;
        if (field.IsNullable)
        {
            var values = ArrayPool<T?>.Shared.Rent(count);
            try
            {
                Run(() => rows.ReadAsync(field, values.AsMemory(0, count), null), position);
                for (int i = 0; i < count; i++)
                    span[i] = values[i] is { } v ? Convert(convert, double.CreateTruncating(v), i, field, position)
                        : throw new DataFormatException($"column '{field.Name}' has a null (missing value); remove or impute missing values first.", Path, _groupStart + i + 1, position);
            }
            finally { ArrayPool<T?>.Shared.Return(values); }
        }
        else
        {
            var values = ArrayPool<T>.Shared.Rent(count);
            try
            {
                Run(() => rows.ReadAsync(field, values.AsMemory(0, count), null), position);
                for (int i = 0; i < count; i++) span[i] = Convert(convert, double.CreateTruncating(values[i]), i, field, position);
            }
            finally { ArrayPool<T>.Shared.Return(values); }
        }
    }

    private TOut Convert<TOut>(Func<double, TOut> convert, double value, int i, DataField field, int position)
    {
        try { return convert(value); }
        catch (FormatException e) { throw new DataFormatException($"column '{field.Name}': {e.Message}", Path, _groupStart + i + 1, position); }
    }

    private static bool IsNumeric(Type type) => Type.GetTypeCode(type) is TypeCode.Double or TypeCode.Single or TypeCode.Int32 or TypeCode.Int64
        or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.Byte or TypeCode.SByte;

    /// <summary>Runs a Parquet.Net call synchronously; its failures (not Parquet, truncated, corrupt) become one-line <see cref="DataFormatException"/>s.</summary>
    private T Run<T>(Func<Task<T>> call, int? column) => Run(() => call().GetAwaiter().GetResult(), column);

    private void Run(Func<Task> call, int? column) => Run(() => { call().GetAwaiter().GetResult(); return 0; }, column);

    private T Run<T>(Func<T> call, int? column)
    {
        try { return call(); }
        catch (DataFormatException) { throw; }
        catch (Exception e) when (e is IOException or ParquetException or InvalidDataException or InvalidOperationException or NotSupportedException
            or ArgumentException or IndexOutOfRangeException or OverflowException or FormatException or EndOfStreamException)
        {
            string what = _file.Length < 12 ? "too short to be a Parquet file" : "not a readable Parquet file (not Parquet, truncated or corrupt)";
            throw new DataFormatException($"{what}: {e.Message.Split('\n')[0].Trim()}", Path, column: column, innerException: e);
        }
    }

    public void Dispose()
    {
        _reader?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _file.Dispose();
    }
}

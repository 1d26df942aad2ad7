using System.Buffers.Binary;

namespace FreeEnergy.Data;

/// <summary>
/// Reads an IDX file (LeCun's MNIST format): magic <c>00 00 type ndims</c>, <c>ndims</c> big-endian int32
/// dimensions, then big-endian values. Row i is the i-th slice along the first dimension, flattened.
/// </summary>
internal sealed class IdxRowSource : IRowSource
{
    private static readonly float[] ScaledBytes = CreateScaledBytes();

    private readonly Stream _stream;
    private readonly byte _type;
    private readonly bool _scaleBytes;
    private readonly byte[] _rowBytes;
    private long _rowsRead;

    public IdxRowSource(string path, bool scaleBytes)
    {
        Path = path;
        _scaleBytes = scaleBytes;
        _stream = DataFileOpener.Open(path);
        try
        {
            (_type, Dimensions) = ReadHeader(_stream, path);
            long columns = 1;
            for (int d = 1; d < Dimensions.Length; d++) columns *= Dimensions[d];
            long rowBytes = columns * IdxElementTypes.Size(_type);
            if (columns == 0)
                throw new DataFormatException($"the header's dimensions [{string.Join(",", Dimensions)}] give rows with no values.", path);
            if (columns > Array.MaxLength || rowBytes > Array.MaxLength)
                throw new DataFormatException($"rows of {columns} values are too large to read.", path);
            Columns = (int)columns;
            DeclaredRows = Dimensions[0];
            _rowBytes = new byte[rowBytes];
            if (_stream is FileStream file && rowBytes > 0)
            {
                // Uncompressed: the file length tells at once whether all declared rows are there.
                long headerBytes = 4 + 4L * Dimensions.Length;
                long available = file.Length - headerBytes;
                if (available < DeclaredRows * rowBytes) throw Truncated(available / rowBytes + 1, null);
            }
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public int Columns { get; }

    public long? DeclaredRows { get; }

    public bool HasInlineLabels => false;

    /// <summary>The dimensions from the header.</summary>
    public int[] Dimensions { get; }

    /// <summary>The element type code from the header.</summary>
    public byte ElementType => _type;

    public bool ReadRow(Span<float> destination, out int label)
    {
        label = -1;
        if (_rowsRead >= DeclaredRows)
        {
            return false;
        }
        long row = _rowsRead + 1;
        ReadExactly(_rowBytes, row);
        Convert(_rowBytes, destination, row);
        _rowsRead++;
        return true;
    }

    /// <summary>Throws when bytes follow the last declared row (a sign the header's dimensions are wrong).</summary>
    public void CheckAtEnd()
    {
        int extra;
        try
        {
            extra = _stream.ReadByte();
        }
        catch (InvalidDataException ex)
        {
            throw Corrupt(ex);
        }
        if (extra >= 0)
            throw new DataFormatException(
                $"the file has data after the {DeclaredRows} rows of {Columns} values its header declares; the dimensions in the header do not match the data.", Path);
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>Reads a whole label file: a one-dimensional IDX (or N x 1) of integers.</summary>
    public static int[] ReadLabels(string path)
    {
        using var source = new IdxRowSource(path, scaleBytes: false);
        if (source.Columns != 1)
            throw new DataFormatException(
                $"a label file must have one value per row, but its dimensions are [{string.Join(",", source.Dimensions)}].", path);
        if (source.DeclaredRows > Array.MaxLength)
            throw new DataFormatException($"{source.DeclaredRows} labels are too many to read.", path);
        var labels = new int[(int)source.DeclaredRows!.Value];
        Span<float> value = stackalloc float[1];
        for (int i = 0; i < labels.Length; i++)
        {
            source.ReadRow(value, out _);
            labels[i] = LabelValue.ToLabel(value[0], path, i + 1, 1);
        }
        source.CheckAtEnd();
        return labels;
    }

    private static (byte Type, int[] Dimensions) ReadHeader(Stream stream, string path)
    {
        Span<byte> magic = stackalloc byte[4];
        int read = ReadUpTo(stream, magic, path);
        if (read == 0) throw new DataFormatException("the file is empty.", path);
        if (read < 4) throw new DataFormatException($"the file is too short to be IDX ({read} bytes).", path);
        if (magic[0] != 0 || magic[1] != 0)
            throw new DataFormatException(
                $"not an IDX file: the magic number starts with 0x{magic[0]:X2} 0x{magic[1]:X2}, expected 0x00 0x00. (CSV files need a .csv name.)", path);
        if (!IdxElementTypes.IsKnown(magic[2]))
            throw new DataFormatException(
                $"not a supported IDX file: element type code 0x{magic[2]:X2} (known: 0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64).", path);
        int dims = magic[3];
        if (dims < 1)
            throw new DataFormatException("not a supported IDX file: it declares zero dimensions.", path);
        var header = new byte[4 * dims];
        int got = ReadUpTo(stream, header, path);
        if (got < header.Length)
            throw new DataFormatException($"the file is truncated inside its header ({dims} dimensions declared).", path);
        var dimensions = new int[dims];
        for (int d = 0; d < dims; d++)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 * d));
            if (size < 0)
                throw new DataFormatException($"dimension {d + 1} of the header is negative ({size}).", path);
            dimensions[d] = size;
        }
        return (magic[2], dimensions);
    }

    private static int ReadUpTo(Stream stream, Span<byte> buffer, string path)
    {
        int read = 0;
        try
        {
            while (read < buffer.Length)
            {
                int n = stream.Read(buffer[read..]);
                if (n == 0) break;
                read += n;
            }
        }
        catch (InvalidDataException ex)
        {
            throw new DataFormatException($"the gzip data is corrupt: {ex.Message}", path, innerException: ex);
        }
        return read;
    }

    private void ReadExactly(byte[] buffer, long row)
    {
        int read;
        try
        {
            read = ReadUpTo(_stream, buffer, Path);
        }
        catch (EndOfStreamException ex)
        {
            throw Truncated(row, ex);
        }
        if (read < buffer.Length) throw Truncated(row, null);
    }

    private DataFormatException Truncated(long row, Exception? inner)
        => new($"the file is truncated: the header declares {DeclaredRows} rows of {Columns} {IdxElementTypes.Name(_type)} values, but the data ends in row {row}.",
            Path, row, innerException: inner);

    private DataFormatException Corrupt(Exception ex)
        => new($"the gzip data is corrupt: {ex.Message}", Path, innerException: ex);

    private void Convert(ReadOnlySpan<byte> bytes, Span<float> destination, long row)
    {
        switch (_type)
        {
            case IdxElementTypes.UnsignedByte:
                if (_scaleBytes) { for (int i = 0; i < destination.Length; i++) destination[i] = ScaledBytes[bytes[i]]; }
                else { for (int i = 0; i < destination.Length; i++) destination[i] = bytes[i]; }
                break;
            case IdxElementTypes.SignedByte:
                for (int i = 0; i < destination.Length; i++) destination[i] = (sbyte)bytes[i];
                break;
            case IdxElementTypes.Int16:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadInt16BigEndian(bytes[(2 * i)..]);
                break;
            case IdxElementTypes.Int32:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadInt32BigEndian(bytes[(4 * i)..]);
                break;
            case IdxElementTypes.Float32:
                for (int i = 0; i < destination.Length; i++)
                {
                    float v = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32BigEndian(bytes[(4 * i)..]));
                    if (!float.IsFinite(v)) throw NonFinite(v, row, i);
                    destination[i] = v;
                }
                break;
            default:
                for (int i = 0; i < destination.Length; i++)
                {
                    double v = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(bytes[(8 * i)..]));
                    float f = (float)v;
                    if (!float.IsFinite(f)) throw NonFinite(v, row, i);
                    destination[i] = f;
                }
                break;
        }
    }

    private DataFormatException NonFinite(double value, long row, int index)
        => new($"the value {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not a finite float32.", Path, row, index + 1);

    private static float[] CreateScaledBytes()
    {
        var table = new float[256];
        for (int i = 0; i < 256; i++) table[i] = i / 255f;
        return table;
    }
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace FreeEnergy.Onnx.Proto;

/// <summary>onnx.TensorProto: a named constant (initializer), data in raw_data as little-endian bytes.</summary>
internal sealed class TensorProto : ProtoMessage
{
    /// <summary>TensorProto.DataType values used here.</summary>
    public enum DataType
    {
        Float = 1,
        Int64 = 7,
    }

    private TensorProto(string? name, DataType type, long[] dims, ByteString raw)
    {
        Name = name;
        ElementType = type;
        Dims = dims;
        RawData = raw;
    }

    public IReadOnlyList<long> Dims { get; }
    public DataType ElementType { get; }
    public string? Name { get; }
    public ByteString RawData { get; }

    /// <summary>A float32 tensor; <paramref name="data"/> is copied.</summary>
    public static TensorProto Float(string? name, IReadOnlyList<long> dims, ReadOnlySpan<float> data)
    {
        CheckCount(dims, data.Length);
        var bytes = new byte[data.Length * sizeof(float)];
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(data).CopyTo(bytes);
        else for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), data[i]);
        return new TensorProto(name, DataType.Float, dims.ToArray(), UnsafeByteOperations.UnsafeWrap(bytes));
    }

    /// <summary>An int64 tensor (shapes, axes).</summary>
    public static TensorProto Int64(string? name, IReadOnlyList<long> dims, ReadOnlySpan<long> data)
    {
        CheckCount(dims, data.Length);
        var bytes = new byte[data.Length * sizeof(long)];
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), data[i]);
        return new TensorProto(name, DataType.Int64, dims.ToArray(), UnsafeByteOperations.UnsafeWrap(bytes));
    }

    private static void CheckCount(IReadOnlyList<long> dims, int count)
    {
        long product = 1;
        foreach (var d in dims) product *= d;
        if (product != count) throw new ArgumentException($"tensor data has {count} values but its shape [{string.Join(",", dims)}] holds {product}.");
    }

    protected override int ComputeSizeCore()
        => ProtoWire.RepeatedInt64Size(1, Dims)
         + ProtoWire.Int64Size(2, (long)ElementType)
         + ProtoWire.StringSize(8, Name)
         + ProtoWire.BytesSize(9, RawData);

    public override void WriteTo(CodedOutputStream output)
    {
        ProtoWire.RepeatedInt64(output, 1, Dims);
        ProtoWire.Int64(output, 2, (long)ElementType);
        ProtoWire.String(output, 8, Name);
        ProtoWire.Bytes(output, 9, RawData);
    }
}

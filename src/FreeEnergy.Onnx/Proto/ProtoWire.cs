using Google.Protobuf;

namespace FreeEnergy.Onnx.Proto;

/// <summary>Field-level writers and their sizes for the ONNX messages (proto2: optional fields absent when null).</summary>
internal static class ProtoWire
{
    private static uint Tag(int field, WireFormat.WireType type) => WireFormat.MakeTag(field, type);

    public static int TagSize(int field) => CodedOutputStream.ComputeTagSize(field);

    public static int StringSize(int field, string? value)
        => value is null ? 0 : TagSize(field) + CodedOutputStream.ComputeStringSize(value);

    public static void String(CodedOutputStream output, int field, string? value)
    {
        if (value is null) return;
        output.WriteTag(Tag(field, WireFormat.WireType.LengthDelimited));
        output.WriteString(value);
    }

    public static int BytesSize(int field, ByteString? value)
        => value is null ? 0 : TagSize(field) + CodedOutputStream.ComputeBytesSize(value);

    public static void Bytes(CodedOutputStream output, int field, ByteString? value)
    {
        if (value is null) return;
        output.WriteTag(Tag(field, WireFormat.WireType.LengthDelimited));
        output.WriteBytes(value);
    }

    public static int Int64Size(int field, long? value)
        => value is null ? 0 : TagSize(field) + CodedOutputStream.ComputeInt64Size(value.Value);

    public static void Int64(CodedOutputStream output, int field, long? value)
    {
        if (value is null) return;
        output.WriteTag(Tag(field, WireFormat.WireType.Varint));
        output.WriteInt64(value.Value);
    }

    /// <summary>A repeated int64 written unpacked (the proto2 default, which every parser accepts).</summary>
    public static int RepeatedInt64Size(int field, IReadOnlyList<long> values)
    {
        int size = 0;
        foreach (var v in values) size += TagSize(field) + CodedOutputStream.ComputeInt64Size(v);
        return size;
    }

    public static void RepeatedInt64(CodedOutputStream output, int field, IReadOnlyList<long> values)
    {
        foreach (var v in values)
        {
            output.WriteTag(Tag(field, WireFormat.WireType.Varint));
            output.WriteInt64(v);
        }
    }

    public static int FloatSize(int field, float? value) => value is null ? 0 : TagSize(field) + 4;

    public static void Float(CodedOutputStream output, int field, float? value)
    {
        if (value is null) return;
        output.WriteTag(Tag(field, WireFormat.WireType.Fixed32));
        output.WriteFloat(value.Value);
    }

    public static int MessageSize(int field, ProtoMessage? message)
    {
        if (message is null) return 0;
        int inner = message.ComputeSize();
        return TagSize(field) + CodedOutputStream.ComputeLengthSize(inner) + inner;
    }

    public static void Message(CodedOutputStream output, int field, ProtoMessage? message)
    {
        if (message is null) return;
        output.WriteTag(Tag(field, WireFormat.WireType.LengthDelimited));
        output.WriteLength(message.CachedSize);
        message.WriteTo(output);
    }

    public static int RepeatedMessageSize<T>(int field, IReadOnlyList<T> messages) where T : ProtoMessage
    {
        int size = 0;
        foreach (var m in messages) size += MessageSize(field, m);
        return size;
    }

    public static void RepeatedMessage<T>(CodedOutputStream output, int field, IReadOnlyList<T> messages) where T : ProtoMessage
    {
        foreach (var m in messages) Message(output, field, m);
    }

    public static int RepeatedStringSize(int field, IReadOnlyList<string> values)
    {
        int size = 0;
        foreach (var v in values) size += StringSize(field, v);
        return size;
    }

    public static void RepeatedString(CodedOutputStream output, int field, IReadOnlyList<string> values)
    {
        foreach (var v in values) String(output, field, v);
    }
}

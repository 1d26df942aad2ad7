using Google.Protobuf;

namespace FreeEnergy.Onnx.Proto;

/// <summary>onnx.NodeProto: one operator application.</summary>
internal sealed class NodeProto : ProtoMessage
{
    public List<string> Input { get; } = new();
    public List<string> Output { get; } = new();
    public string? Name { get; set; }
    public string OpType { get; set; } = "";
    public List<AttributeProto> Attribute { get; } = new();
    public string? DocString { get; set; }
    public string? Domain { get; set; }

    protected override int ComputeSizeCore()
        => ProtoWire.RepeatedStringSize(1, Input)
         + ProtoWire.RepeatedStringSize(2, Output)
         + ProtoWire.StringSize(3, Name)
         + ProtoWire.StringSize(4, OpType)
         + ProtoWire.RepeatedMessageSize(5, Attribute)
         + ProtoWire.StringSize(6, DocString)
         + ProtoWire.StringSize(7, Domain);

    public override void WriteTo(CodedOutputStream output)
    {
        ProtoWire.RepeatedString(output, 1, Input);
        ProtoWire.RepeatedString(output, 2, Output);
        ProtoWire.String(output, 3, Name);
        ProtoWire.String(output, 4, OpType);
        ProtoWire.RepeatedMessage(output, 5, Attribute);
        ProtoWire.String(output, 6, DocString);
        ProtoWire.String(output, 7, Domain);
    }
}

/// <summary>onnx.AttributeProto: a named node attribute (float, int, string, tensor or int list here).</summary>
internal sealed class AttributeProto : ProtoMessage
{
    /// <summary>AttributeProto.AttributeType values used here.</summary>
    public enum AttributeType
    {
        Float = 1,
        Int = 2,
        String = 3,
        Tensor = 4,
        Floats = 6,
        Ints = 7,
    }

    private AttributeProto(string name, AttributeType type)
    {
        Name = name;
        Type = type;
    }

    public string Name { get; }
    public AttributeType Type { get; }
    public float? F { get; private init; }
    public long? I { get; private init; }
    public ByteString? S { get; private init; }
    public TensorProto? T { get; private init; }
    public IReadOnlyList<long> Ints { get; private init; } = Array.Empty<long>();

    public static AttributeProto Float(string name, float value) => new(name, AttributeType.Float) { F = value };
    public static AttributeProto Int(string name, long value) => new(name, AttributeType.Int) { I = value };
    public static AttributeProto String(string name, string value) => new(name, AttributeType.String) { S = ByteString.CopyFromUtf8(value) };
    public static AttributeProto Tensor(string name, TensorProto value) => new(name, AttributeType.Tensor) { T = value };
    public static AttributeProto IntList(string name, params long[] values) => new(name, AttributeType.Ints) { Ints = values };

    protected override int ComputeSizeCore()
        => ProtoWire.StringSize(1, Name)
         + ProtoWire.FloatSize(2, F)
         + ProtoWire.Int64Size(3, I)
         + ProtoWire.BytesSize(4, S)
         + ProtoWire.MessageSize(5, T)
         + ProtoWire.RepeatedInt64Size(8, Ints)
         + ProtoWire.Int64Size(20, (long)Type);

    public override void WriteTo(CodedOutputStream output)
    {
        ProtoWire.String(output, 1, Name);
        ProtoWire.Float(output, 2, F);
        ProtoWire.Int64(output, 3, I);
        ProtoWire.Bytes(output, 4, S);
        ProtoWire.Message(output, 5, T);
        ProtoWire.RepeatedInt64(output, 8, Ints);
        ProtoWire.Int64(output, 20, (long)Type);
    }
}

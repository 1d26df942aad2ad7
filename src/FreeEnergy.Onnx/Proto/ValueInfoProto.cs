using Google.Protobuf;

namespace FreeEnergy.Onnx.Proto;

/// <summary>onnx.ValueInfoProto: a graph input or output with its tensor type and shape.</summary>
internal sealed class ValueInfoProto : ProtoMessage
{
    public ValueInfoProto(string name, TypeProto type)
    {
        Name = name;
        Type = type;
    }

    public string Name { get; }
    public TypeProto Type { get; }
    public string? DocString { get; set; }

    protected override int ComputeSizeCore()
        => ProtoWire.StringSize(1, Name) + ProtoWire.MessageSize(2, Type) + ProtoWire.StringSize(3, DocString);

    public override void WriteTo(CodedOutputStream output)
    {
        ProtoWire.String(output, 1, Name);
        ProtoWire.Message(output, 2, Type);
        ProtoWire.String(output, 3, DocString);
    }
}

/// <summary>onnx.TypeProto with its tensor_type arm (field 1): onnx.TypeProto.Tensor.</summary>
internal sealed class TypeProto : ProtoMessage
{
    public TypeProto(TensorTypeProto tensorType) => TensorType = tensorType;

    public TensorTypeProto TensorType { get; }

    protected override int ComputeSizeCore() => ProtoWire.MessageSize(1, TensorType);

    public override void WriteTo(CodedOutputStream output) => ProtoWire.Message(output, 1, TensorType);
}

/// <summary>onnx.TypeProto.Tensor: element type and shape.</summary>
internal sealed class TensorTypeProto : ProtoMessage
{
    public TensorTypeProto(TensorProto.DataType elementType, TensorShapeProto shape)
    {
        ElementType = elementType;
        Shape = shape;
    }

    public TensorProto.DataType ElementType { get; }
    public TensorShapeProto Shape { get; }

    protected override int ComputeSizeCore() => ProtoWire.Int64Size(1, (long)ElementType) + ProtoWire.MessageSize(2, Shape);

    public override void WriteTo(CodedOutputStream output)
    {
        ProtoWire.Int64(output, 1, (long)ElementType);
        ProtoWire.Message(output, 2, Shape);
    }
}

/// <summary>onnx.TensorShapeProto: dimensions, each a fixed value or a symbolic name (dynamic).</summary>
internal sealed class TensorShapeProto : ProtoMessage
{
    public List<DimensionProto> Dim { get; } = new();

    protected override int ComputeSizeCore() => ProtoWire.RepeatedMessageSize(1, Dim);

    public override void WriteTo(CodedOutputStream output) => ProtoWire.RepeatedMessage(output, 1, Dim);
}

/// <summary>onnx.TensorShapeProto.Dimension: dim_value (1) or dim_param (2).</summary>
internal sealed class DimensionProto : ProtoMessage
{
    private DimensionProto(long? value, string? parameter)
    {
        Value = value;
        Parameter = parameter;
    }

    public long? Value { get; }
    public string? Parameter { get; }

    public static DimensionProto Fixed(long value) => new(value, null);
    public static DimensionProto Symbolic(string name) => new(null, name);

    protected override int ComputeSizeCore() => ProtoWire.Int64Size(1, Value) + ProtoWire.StringSize(2, Parameter);

    public override void WriteTo(CodedOutputStream output)
    {
        ProtoWire.Int64(output, 1, Value);
        ProtoWire.String(output, 2, Parameter);
    }
}

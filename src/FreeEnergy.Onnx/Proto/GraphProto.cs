using Google.Protobuf;

namespace FreeEnergy.Onnx.Proto;

/// <summary>onnx.GraphProto: nodes in topological order, initializers, inputs and outputs.</summary>
internal sealed class GraphProto : ProtoMessage
{
    public List<NodeProto> Node { get; } = new();
    public string? Name { get; set; }
    public List<TensorProto> Initializer { get; } = new();
    public string? DocString { get; set; }
    public List<ValueInfoProto> Input { get; } = new();
    public List<ValueInfoProto> Output { get; } = new();

    protected override int ComputeSizeCore()
        => ProtoWire.RepeatedMessageSize(1, Node)
         + ProtoWire.StringSize(2, Name)
         + ProtoWire.RepeatedMessageSize(5, Initializer)
         + ProtoWire.StringSize(10, DocString)
         + ProtoWire.RepeatedMessageSize(11, Input)
         + ProtoWire.RepeatedMessageSize(12, Output);

    public override void WriteTo(CodedOutputStream output)
    {
        ProtoWire.RepeatedMessage(output, 1, Node);
        ProtoWire.String(output, 2, Name);
        ProtoWire.RepeatedMessage(output, 5, Initializer);
        ProtoWire.String(output, 10, DocString);
        ProtoWire.RepeatedMessage(output, 11, Input);
        ProtoWire.RepeatedMessage(output, 12, Output);
    }
}

using Google.Protobuf;

namespace FreeEnergy.Onnx.Proto;

/// <summary>onnx.ModelProto: the file's top-level message.</summary>
internal sealed class ModelProto : ProtoMessage
{
    public long IrVersion { get; set; }
    public List<OperatorSetIdProto> OpsetImport { get; } = new();
    public string? ProducerName { get; set; }
    public string? ProducerVersion { get; set; }
    public string? Domain { get; set; }
    public long? ModelVersion { get; set; }
    public string? DocString { get; set; }
    public GraphProto? Graph { get; set; }
    public List<StringStringEntryProto> MetadataProps { get; } = new();

    protected override int ComputeSizeCore()
        => ProtoWire.Int64Size(1, IrVersion)
         + ProtoWire.StringSize(2, ProducerName)
         + ProtoWire.StringSize(3, ProducerVersion)
         + ProtoWire.StringSize(4, Domain)
         + ProtoWire.Int64Size(5, ModelVersion)
         + ProtoWire.StringSize(6, DocString)
         + ProtoWire.MessageSize(7, Graph)
         + ProtoWire.RepeatedMessageSize(8, OpsetImport)
         + ProtoWire.RepeatedMessageSize(14, MetadataProps);

    public override void WriteTo(CodedOutputStream output)
    {
        ProtoWire.Int64(output, 1, IrVersion);
        ProtoWire.String(output, 2, ProducerName);
        ProtoWire.String(output, 3, ProducerVersion);
        ProtoWire.String(output, 4, Domain);
        ProtoWire.Int64(output, 5, ModelVersion);
        ProtoWire.String(output, 6, DocString);
        ProtoWire.Message(output, 7, Graph);
        ProtoWire.RepeatedMessage(output, 8, OpsetImport);
        ProtoWire.RepeatedMessage(output, 14, MetadataProps);
    }
}

/// <summary>onnx.OperatorSetIdProto: an imported operator set (empty domain = the default ONNX set).</summary>
internal sealed class OperatorSetIdProto : ProtoMessage
{
    public string? Domain { get; set; }
    public long Version { get; set; }

    protected override int ComputeSizeCore() => ProtoWire.StringSize(1, Domain) + ProtoWire.Int64Size(2, Version);

    public override void WriteTo(CodedOutputStream output)
    {
        ProtoWire.String(output, 1, Domain);
        ProtoWire.Int64(output, 2, Version);
    }
}

/// <summary>onnx.StringStringEntryProto: one key/value pair (metadata_props).</summary>
internal sealed class StringStringEntryProto : ProtoMessage
{
    public StringStringEntryProto(string key, string value)
    {
        Key = key;
        Value = value;
    }

    public string Key { get; }
    public string Value { get; }

    protected override int ComputeSizeCore() => ProtoWire.StringSize(1, Key) + ProtoWire.StringSize(2, Value);

    public override void WriteTo(CodedOutputStream output)
    {
        ProtoWire.String(output, 1, Key);
        ProtoWire.String(output, 2, Value);
    }
}

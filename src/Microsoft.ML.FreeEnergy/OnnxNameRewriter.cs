using Google.Protobuf;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// Renames values (graph inputs, outputs, node inputs and outputs, initializers) in an encoded ONNX model, so that the
/// graph's input and output are named as the ML.NET columns they bind to (OnnxTransformer binds by name). Any other
/// value that already carries a target name is first moved to a fresh name, so user column names can never collide
/// with the exporter's internal ones. Works on the protobuf wire format; every field it does not rename is copied as is.
/// </summary>
internal static class OnnxNameRewriter
{
    private enum Level { Model, Graph, Node, Tensor, ValueInfo }

    /// <summary>The model with every value named as a key of <paramref name="renames"/> renamed to its value.</summary>
    public static byte[] Rename(byte[] model, IReadOnlyDictionary<string, string> renames)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        Rewrite(model, Level.Model, name => { names.Add(name); return name; });
        foreach (var source in renames.Keys)
            if (!names.Contains(source)) throw new InvalidOperationException($"The exported ONNX graph has no value named '{source}'.");

        var map = new Dictionary<string, string>(renames, StringComparer.Ordinal);
        var taken = new HashSet<string>(names, StringComparer.Ordinal);
        taken.UnionWith(renames.Values);
        foreach (var target in renames.Values)
        {
            if (!names.Contains(target) || renames.ContainsKey(target)) continue;
            int suffix = 0;
            string fresh;
            do fresh = target + "__fe" + (suffix++).ToString(System.Globalization.CultureInfo.InvariantCulture);
            while (taken.Contains(fresh));
            taken.Add(fresh);
            map[target] = fresh;
        }
        return Rewrite(model, Level.Model, name => map.TryGetValue(name, out var renamed) ? renamed : name);
    }

    private static byte[] Rewrite(byte[] message, Level level, Func<string, string> rename)
    {
        var input = new CodedInputStream(message);
        using var buffer = new MemoryStream(message.Length + 64);
        var output = new CodedOutputStream(buffer);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            output.WriteTag(tag);
            int field = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.Varint:
                    output.WriteUInt64(input.ReadUInt64());
                    break;
                case WireFormat.WireType.Fixed32:
                    output.WriteFixed32(input.ReadFixed32());
                    break;
                case WireFormat.WireType.Fixed64:
                    output.WriteFixed64(input.ReadFixed64());
                    break;
                case WireFormat.WireType.LengthDelimited:
                    var bytes = input.ReadBytes();
                    if (IsName(level, field)) output.WriteString(rename(bytes.ToStringUtf8()));
                    else if (Child(level, field) is Level child) output.WriteBytes(ByteString.CopyFrom(Rewrite(bytes.ToByteArray(), child, rename)));
                    else output.WriteBytes(bytes);
                    break;
                default:
                    throw new InvalidOperationException($"Unexpected protobuf wire type in field {field} of an ONNX {level}.");
            }
        }
        output.Flush();
        return buffer.ToArray();
    }

    // onnx.proto field numbers: ModelProto.graph = 7; GraphProto.node = 1, initializer = 5, input = 11, output = 12,
    // value_info = 13; NodeProto.input = 1, output = 2; TensorProto.name = 8; ValueInfoProto.name = 1.
    private static Level? Child(Level level, int field) => (level, field) switch
    {
        (Level.Model, 7) => Level.Graph,
        (Level.Graph, 1) => Level.Node,
        (Level.Graph, 5) => Level.Tensor,
        (Level.Graph, 11 or 12 or 13) => Level.ValueInfo,
        _ => null,
    };

    private static bool IsName(Level level, int field) => (level, field) switch
    {
        (Level.Node, 1 or 2) => true,
        (Level.Tensor, 8) => true,
        (Level.ValueInfo, 1) => true,
        _ => false,
    };
}

using Google.Protobuf;
using Google.Protobuf.Collections;
using Onnx;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// Renames values (graph inputs, outputs, node inputs and outputs, initializers) in an encoded ONNX model, so that the
/// graph's input and output are named as the ML.NET columns they bind to (OnnxTransformer binds by name). Any other
/// value that already carries a target name is first moved to a fresh name, so user column names can never collide
/// with the exporter's internal ones. Works on the ONNX messages generated from onnx.proto; every other field is kept as is.
/// </summary>
internal static class OnnxNameRewriter
{
    /// <summary>The model with every value named as a key of <paramref name="renames"/> renamed to its value.</summary>
    public static byte[] Rename(byte[] model, IReadOnlyDictionary<string, string> renames)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        var names = new HashSet<string>(StringComparer.Ordinal);
        Rewrite(proto.Graph, name => { names.Add(name); return name; });
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
        Rewrite(proto.Graph, name => map.TryGetValue(name, out var renamed) ? renamed : name);
        return proto.ToByteArray();
    }

    /// <summary>Replaces every value name in <paramref name="graph"/> (inputs, outputs, value_info, initializers, node inputs and outputs) by <paramref name="rename"/>'s answer.</summary>
    private static void Rewrite(GraphProto graph, Func<string, string> rename)
    {
        foreach (var value in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo)) value.Name = rename(value.Name);
        foreach (var tensor in graph.Initializer) tensor.Name = rename(tensor.Name);
        foreach (var node in graph.Node)
        {
            Rename(node.Input, rename);
            Rename(node.Output, rename);
        }
    }

    private static void Rename(RepeatedField<string> names, Func<string, string> rename)
    {
        for (int i = 0; i < names.Count; i++) names[i] = rename(names[i]);
    }
}

using System.Text.Json.Nodes;
using FreeEnergy.Onnx.Tests.Reference;
using Onnx;

namespace FreeEnergy.Onnx.Tests;

/// <summary>
/// The encoded ModelProto, parsed with the classes generated from the upstream onnx.proto: IR version 8, opset 17,
/// metadata, the dynamic batch dimension, output names, initializers intact and nodes in topological order.
/// </summary>
public sealed class ModelStructureTests
{
    public static TheoryData<string, OnnxGraphKind> Cases()
    {
        var data = new TheoryData<string, OnnxGraphKind>();
        foreach (var c in TestModels.Configurations)
            foreach (var g in new[] { OnnxGraphKind.Encode, OnnxGraphKind.Reconstruct, OnnxGraphKind.Score, OnnxGraphKind.All })
                data.Add(c, g);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Header_metadata_and_signature_follow_the_contract(string configuration, OnnxGraphKind graph)
    {
        var document = TestModels.Create(configuration);
        var model = ModelProto.Parser.ParseFrom(OnnxExporter.Export(document, graph));

        Assert.Equal(8, model.IrVersion);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal("", opset.Domain); // default domain
        Assert.Equal(17, opset.Version);

        var metadata = model.MetadataProps.ToDictionary(m => m.Key, m => m.Value);
        Assert.Equal(document.Kind, metadata[OnnxNames.MetadataModelKind]);
        Assert.Equal(OnnxNames.GraphName(graph), metadata[OnnxNames.MetadataGraph]);
        Assert.Equal(LibraryInfo.Version, metadata[OnnxNames.MetadataLibraryVersion]);
        Assert.Equal("FreeEnergyML", metadata[OnnxNames.MetadataLibrary]);
        var hyper = JsonNode.Parse(metadata[OnnxNames.MetadataHyperparameters])!.AsObject();
        Assert.Equal(document.Hyperparameters.Count, hyper.Count);
        foreach (var (k, v) in document.Hyperparameters) Assert.Equal(v, hyper[k]!.GetValue<string>());

        var g = model.Graph;
        var input = Assert.Single(g.Input);
        Assert.Equal(OnnxNames.Features, input.Name);
        Assert.Equal(new object[] { "N", 784L }, Dims(input));

        var expected = ExportedGraphTests.ExpectedOutputs(document, graph);
        Assert.Equal(expected, g.Output.Select(o => o.Name).ToArray());
        Assert.Equal(string.Join(",", expected), metadata[OnnxNames.MetadataOutputs]);
        foreach (var o in g.Output) Assert.Equal("N", Dims(o)[0]);

        // Initializers carry the document's tensors bit for bit.
        var initializers = g.Initializer.ToDictionary(t => t.Name);
        foreach (var tensor in document.Tensors)
        {
            if (!initializers.TryGetValue(tensor.Name, out var init)) continue; // graphs need only some tensors
            Assert.Equal((int)TensorProto.Types.DataType.Float, init.DataType);
            Assert.Equal(tensor.Shape.Select(d => (long)d), init.Dims);
            var raw = init.RawData.ToByteArray();
            var values = new float[raw.Length / 4];
            Buffer.BlockCopy(raw, 0, values, 0, raw.Length);
            Assert.Equal(tensor.Data, values);
        }

        // Every node input is the graph input, an initializer or an earlier node's output.
        var known = new HashSet<string>(initializers.Keys) { OnnxNames.Features };
        foreach (var node in g.Node)
        {
            foreach (var i in node.Input) Assert.Contains(i, known);
            foreach (var o in node.Output) Assert.True(known.Add(o), $"value {o} defined twice");
        }
        foreach (var name in expected) Assert.Contains(name, known);
    }

    [Fact]
    public void Scoring_graphs_have_no_plain_softplus_or_log_of_raw_exponentials()
    {
        // The overflow-free softplus is built from Relu/Abs/Exp/Log; the ONNX Softplus op is never used.
        foreach (var c in TestModels.Configurations)
        {
            var g = ModelProto.Parser.ParseFrom(OnnxExporter.Export(TestModels.Create(c), OnnxGraphKind.All)).Graph;
            Assert.DoesNotContain("Softplus", g.Node.Select(n => n.OpType));
        }
    }

    private static object[] Dims(ValueInfoProto valueInfo)
    {
        var tensorType = valueInfo.Type.TensorType;
        Assert.Equal((int)TensorProto.Types.DataType.Float, tensorType.ElemType);
        return tensorType.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? (object)d.DimValue : d.DimParam).ToArray();
    }
}

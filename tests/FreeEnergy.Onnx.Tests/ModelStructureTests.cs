using System.Text.Json.Nodes;
using FreeEnergy.Onnx.Tests.Harness;
using FreeEnergy.Onnx.Tests.Reference;

namespace FreeEnergy.Onnx.Tests;

/// <summary>
/// The encoded ModelProto, decoded with an independent wire-format reader: IR version 8, opset 17, metadata,
/// the dynamic batch dimension, output names, initializers intact and nodes in topological order.
/// </summary>
public sealed class ModelStructureTests
{
    // onnx.proto field numbers.
    private const int ModelIrVersion = 1, ModelGraph = 7, ModelOpset = 8, ModelMetadata = 14;
    private const int GraphNode = 1, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;

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
        var model = ProtoFields.Parse(OnnxExporter.Export(document, graph));

        Assert.Equal(8, model.One(ModelIrVersion).Value);
        var opset = model.One(ModelOpset).Message;
        Assert.DoesNotContain(opset.All(1), f => f.Bytes.Length > 0); // default domain
        Assert.Equal(17, opset.One(2).Value);

        var metadata = model.All(ModelMetadata).Select(f => f.Message).ToDictionary(m => m.One(1).Text, m => m.One(2).Text);
        Assert.Equal(document.Kind, metadata[OnnxNames.MetadataModelKind]);
        Assert.Equal(OnnxNames.GraphName(graph), metadata[OnnxNames.MetadataGraph]);
        Assert.Equal(LibraryInfo.Version, metadata[OnnxNames.MetadataLibraryVersion]);
        Assert.Equal("FreeEnergyML", metadata[OnnxNames.MetadataLibrary]);
        var hyper = JsonNode.Parse(metadata[OnnxNames.MetadataHyperparameters])!.AsObject();
        Assert.Equal(document.Hyperparameters.Count, hyper.Count);
        foreach (var (k, v) in document.Hyperparameters) Assert.Equal(v, hyper[k]!.GetValue<string>());

        var g = model.One(ModelGraph).Message;
        var input = Assert.Single(g.All(GraphInput)).Message;
        Assert.Equal(OnnxNames.Features, input.One(1).Text);
        Assert.Equal(new object[] { "N", 784L }, Dims(input));

        var expected = ExportedGraphTests.ExpectedOutputs(document, graph);
        var outputs = g.All(GraphOutput).Select(f => f.Message).ToList();
        Assert.Equal(expected, outputs.Select(o => o.One(1).Text).ToArray());
        Assert.Equal(string.Join(",", expected), metadata[OnnxNames.MetadataOutputs]);
        foreach (var o in outputs) Assert.Equal("N", Dims(o)[0]);

        // Initializers carry the document's tensors bit for bit.
        var initializers = g.All(GraphInitializer).Select(f => f.Message).ToDictionary(t => t.One(8).Text);
        foreach (var tensor in document.Tensors)
        {
            if (!initializers.TryGetValue(tensor.Name, out var init)) continue; // graphs need only some tensors
            Assert.Equal(1, init.One(2).Value); // FLOAT
            Assert.Equal(tensor.Shape.Select(d => (long)d), init.All(1).Select(f => f.Value));
            var raw = init.One(9).Bytes;
            var values = new float[raw.Length / 4];
            Buffer.BlockCopy(raw, 0, values, 0, raw.Length);
            Assert.Equal(tensor.Data, values);
        }

        // Every node input is the graph input, an initializer or an earlier node's output.
        var known = new HashSet<string>(initializers.Keys) { OnnxNames.Features };
        foreach (var node in g.All(GraphNode).Select(f => f.Message))
        {
            foreach (var i in node.All(1)) Assert.Contains(i.Text, known);
            foreach (var o in node.All(2)) Assert.True(known.Add(o.Text), $"value {o.Text} defined twice");
        }
        foreach (var name in expected) Assert.Contains(name, known);
    }

    [Fact]
    public void Scoring_graphs_have_no_plain_softplus_or_log_of_raw_exponentials()
    {
        // The overflow-free softplus is built from Relu/Abs/Exp/Log; the ONNX Softplus op is never used.
        foreach (var c in TestModels.Configurations)
        {
            var g = ProtoFields.Parse(OnnxExporter.Export(TestModels.Create(c), OnnxGraphKind.All)).One(ModelGraph).Message;
            var ops = g.All(GraphNode).Select(n => n.Message.One(4).Text).ToList();
            Assert.DoesNotContain("Softplus", ops);
        }
    }

    private static object[] Dims(IReadOnlyList<ProtoField> valueInfo)
    {
        var tensorType = valueInfo.One(2).Message.One(1).Message;
        Assert.Equal(1, tensorType.One(1).Value); // float
        return tensorType.One(2).Message.All(1).Select(d => d.Message).Select(d => d[0].Number == 1 ? (object)d[0].Value : d[0].Text).ToArray();
    }
}

using FreeEnergy.Models;
using FreeEnergy.Onnx.Tests.Harness;
using FreeEnergy.Onnx.Tests.Reference;
using FreeEnergy.Persistence;
using Xunit.Abstractions;

namespace FreeEnergy.Onnx.Tests;

/// <summary>
/// Every exported graph (encode, reconstruct, score, all) of every model kind runs in ONNX Runtime and agrees
/// with an independent double-precision reference to 1e-5*max(1,|ref|), on random rows and on MNIST rows,
/// at batch sizes 1 and 257.
/// </summary>
public sealed class ExportedGraphTests
{
    private static readonly OnnxGraphKind[] Graphs = { OnnxGraphKind.Encode, OnnxGraphKind.Reconstruct, OnnxGraphKind.Score, OnnxGraphKind.All };
    private const int Batch = 257;
    private readonly ITestOutputHelper _output;

    public ExportedGraphTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> Configurations()
    {
        var data = new TheoryData<string>();
        foreach (var c in TestModels.Configurations) data.Add(c);
        return data;
    }

    [OnnxRuntimeTheory]
    [MemberData(nameof(Configurations))]
    public void Random_rows_agree_with_the_reference(string configuration)
    {
        var document = TestModels.Create(configuration, seed: configuration.Length);
        var rows = TestModels.RandomRows(Batch, 784, TestModels.RealValued(configuration), seed: 11);
        Check(document, rows);
    }

    [MnistOnnxRuntimeTheory]
    [MemberData(nameof(Configurations))]
    public void Mnist_rows_agree_with_the_reference(string configuration)
    {
        var document = TestModels.Create(configuration, seed: 3);
        Check(document, MnistRows.Take(Batch));
    }

    /// <summary>The outputs each graph must have, in order.</summary>
    internal static string[] ExpectedOutputs(ModelDocument document, OnnxGraphKind graph)
    {
        bool vae = document.Kind == ModelKinds.Vae;
        var names = new List<string>();
        if (graph is OnnxGraphKind.Encode or OnnxGraphKind.All)
            names.AddRange(vae ? new[] { OnnxNames.LatentMean, OnnxNames.LatentLogVariance } : new[] { OnnxNames.Hidden });
        if (graph is OnnxGraphKind.Reconstruct or OnnxGraphKind.All) names.Add(OnnxNames.Reconstruction);
        if (graph is OnnxGraphKind.Score or OnnxGraphKind.All)
        {
            names.Add(OnnxNames.FreeEnergy);
            if (!vae && document.Hyperparameters.ContainsKey("log_partition")) names.Add(OnnxNames.NegativeLogLikelihood);
        }
        return names.ToArray();
    }

    internal static Dictionary<string, double[]> Reference(ModelDocument document, float[] rows, int count)
        => document.Kind == ModelKinds.Vae ? new ReferenceVae(document).Evaluate(rows, count) : new ReferenceRbm(document).Evaluate(rows, count);

    private void Check(ModelDocument document, float[] rows)
    {
        int width = rows.Length / Batch;
        var reference = Reference(document, rows, Batch);
        var single = rows.AsSpan(0, width).ToArray();
        string folder = Directory.CreateTempSubdirectory("freeenergy-onnx-").FullName;
        try
        {
            var cases = new List<OrtCase>();
            foreach (var graph in Graphs)
            {
                string path = Path.Combine(folder, OnnxNames.GraphName(graph) + ".onnx");
                OnnxExporter.ExportToFile(document, graph, path);
                cases.Add(new OrtCase($"{graph}/1", path, single, 1, width));
                cases.Add(new OrtCase($"{graph}/{Batch}", path, rows, Batch, width));
            }
            var results = OnnxRuntimeHarness.Run(cases);
            foreach (var c in cases)
            {
                var result = results[c.Id];
                Assert.True(result.Ok, $"{c.Id}: ONNX Runtime failed: {result.Error}");
                var graph = Enum.Parse<OnnxGraphKind>(c.Id.Split('/')[0]);
                Assert.Equal(ExpectedOutputs(document, graph), result.Outputs.Keys.ToArray());
                foreach (var (name, output) in result.Outputs)
                {
                    var expected = reference[name];
                    int perRow = expected.Length / Batch;
                    int[] shape = name is OnnxNames.FreeEnergy or OnnxNames.NegativeLogLikelihood ? new[] { c.Rows } : new[] { c.Rows, perRow };
                    Assert.Equal(shape, output.Shape);
                    Tolerance.AssertClose(expected.AsSpan(0, c.Rows * perRow), output.Data, $"{document.Kind} {c.Id} {name}");
                    double worst = Tolerance.WorstRatio(expected.AsSpan(0, c.Rows * perRow), output.Data, out _);
                    if (c.Rows == Batch) _output.WriteLine($"{c.Id,-16} {name,-24} worst error {worst:F3} x tolerance");
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

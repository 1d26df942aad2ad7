using FreeEnergy.Models;
using FreeEnergy.Onnx.Tests.Harness;
using FreeEnergy.Onnx.Tests.Reference;
using FreeEnergy.Persistence;
using FreeEnergy.Tensors;
using Xunit.Abstractions;

namespace FreeEnergy.Onnx.Tests;

/// <summary>
/// The model classes (engine) and ONNX Runtime agree on every output of the "all" graph for each configuration
/// (MNIST rows; random normal rows for the Gaussian RBM), to 1e-5*max(1,|engine|).
/// </summary>
public sealed class EngineAgreementTests
{
    private readonly ITestOutputHelper _output;
    public EngineAgreementTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> Configurations()
    {
        var data = new TheoryData<string>();
        foreach (var c in TestModels.Configurations) data.Add(c);
        return data;
    }

    [MnistOnnxRuntimeTheory]
    [MemberData(nameof(Configurations))]
    public void Engine_and_onnx_runtime_agree(string configuration)
    {
        const int rows = 257;
        var doc = TestModels.Create(configuration, seed: 3);
        IFreeEnergyModel model = doc.Kind == ModelKinds.Vae ? Vae.FromDocument(doc) : RbmBase.FromDocument(doc);
        var x = MnistRows.Take(rows);
        if (TestModels.RealValued(configuration) && doc.Kind != ModelKinds.Vae) x = TestModels.RandomRows(rows, 784, true, 5);
        var view = new Matrix(rows, 784, x).View;
        var engine = new Dictionary<string, float[]>
        {
            [doc.Kind == ModelKinds.Vae ? OnnxNames.LatentMean : OnnxNames.Hidden] = model.Encode(view).Data,
            [OnnxNames.Reconstruction] = model.Reconstruct(view).Data,
            [OnnxNames.FreeEnergy] = model.FreeEnergy(view),
        };
        string folder = Directory.CreateTempSubdirectory("freeenergy-onnx-").FullName;
        string path = Path.Combine(folder, "all.onnx");
        OnnxExporter.ExportToFile(doc, OnnxGraphKind.All, path);
        var r = OnnxRuntimeHarness.Run(new[] { new OrtCase("all", path, x, rows, 784) })["all"];
        Assert.True(r.Ok, r.Error);
        var reference = ExportedGraphTests.Reference(doc, x, rows);
        foreach (var (name, e) in engine)
        {
            var ed = e.Select(v => (double)v).ToArray();
            double ortVsEngine = Tolerance.WorstRatio(ed, r.Outputs[name].Data, out _);
            double engineVsRef = Tolerance.WorstRatio(reference[name], e, out _);
            _output.WriteLine($"{configuration} {name}: ort-vs-engine {ortVsEngine:F3}x tol, engine-vs-double-ref {engineVsRef:F3}x tol");
            Tolerance.AssertClose(ed, r.Outputs[name].Data, configuration + " " + name);
        }
        Directory.Delete(folder, true);
    }
}

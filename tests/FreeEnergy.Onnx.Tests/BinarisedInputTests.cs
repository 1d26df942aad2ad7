using FreeEnergy.Data.Preprocessing;
using FreeEnergy.Models;
using FreeEnergy.Onnx.Tests.Harness;
using FreeEnergy.Onnx.Tests.Reference;
using FreeEnergy.Persistence;
using FreeEnergy.Tensors;

namespace FreeEnergy.Onnx.Tests;

/// <summary>
/// A model trained on binarised rows (train --binarize records <c>input_binarization</c>) exports a graph that
/// binarises its input the same way, so ONNX Runtime on raw [0,1] rows equals the engine on binarised rows.
/// </summary>
public sealed class BinarisedInputTests
{
    [MnistOnnxRuntimeFact]
    public void Graph_binarises_its_input_like_the_training_data()
    {
        const int rows = 257;
        var plain = TestModels.Create("bernoulli-rbm", seed: 4);
        var hyper = new Dictionary<string, string>(plain.Hyperparameters) { [ThresholdBinarizer.ModelAnnotation] = ThresholdBinarizer.DefaultRule };
        var doc = new ModelDocument(plain.Kind, hyper, plain.Tensors);
        var x = MnistRows.Take(rows);
        var binary = new ThresholdBinarizer().Transform(new Matrix(rows, 784, x));
        Assert.Contains(x, v => v > 0f && v < 1f); // the raw rows are grey, so the test can tell the two apart
        var model = RbmBase.FromDocument(doc);

        string folder = Directory.CreateTempSubdirectory("freeenergy-onnx-").FullName;
        string path = Path.Combine(folder, "all.onnx");
        OnnxExporter.ExportToFile(doc, OnnxGraphKind.All, path);
        var r = OnnxRuntimeHarness.Run(new[] { new OrtCase("all", path, x, rows, 784) })["all"];
        Assert.True(r.Ok, r.Error);
        Tolerance.AssertClose(model.FreeEnergy(binary.View).Select(v => (double)v).ToArray(), r.Outputs[OnnxNames.FreeEnergy].Data, "free_energy");
        Tolerance.AssertClose(model.Encode(binary.View).Data.Select(v => (double)v).ToArray(), r.Outputs[OnnxNames.Hidden].Data, "hidden");

        var unknown = new Dictionary<string, string>(plain.Hyperparameters) { [ThresholdBinarizer.ModelAnnotation] = "threshold-0.7" };
        Assert.Throws<ModelFileException>(() => OnnxExporter.Export(new ModelDocument(plain.Kind, unknown, plain.Tensors), OnnxGraphKind.Score));
        Directory.Delete(folder, true);
    }
}

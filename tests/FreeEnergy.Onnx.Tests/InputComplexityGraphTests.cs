using FreeEnergy.Estimation;
using FreeEnergy.Models;
using FreeEnergy.Onnx.Tests.Harness;
using FreeEnergy.Onnx.Tests.Reference;
using FreeEnergy.Persistence;
using FreeEnergy.Tensors;

namespace FreeEnergy.Onnx.Tests;

/// <summary>
/// Score graphs exported with <see cref="OnnxExportOptions.SubtractInputComplexity"/>: ONNX Runtime's
/// <c>input_complexity</c> equals the engine's sequential <see cref="InputComplexity"/> code length (the independent
/// reference: pixel-by-pixel counts against the graph's cumulative sums), and <c>free_energy_corrected</c> equals the
/// engine's free energy minus it, for RBMs and VAEs, on MNIST digits and on random grey images.
/// </summary>
public sealed class InputComplexityGraphTests
{
    public static TheoryData<string> Kinds => new() { "bernoulli-rbm", "vae-relu-bernoulli" };

    [MnistOnnxRuntimeTheory]
    [MemberData(nameof(Kinds))]
    public void Corrected_score_graph_matches_the_engine(string configuration)
    {
        const int mnistRows = 120, randomRows = 40;
        var document = TestModels.Create(configuration, seed: 5);
        var model = Load(document);
        var x = MnistRows.Take(mnistRows).Concat(TestModels.RandomRows(randomRows, 784, realValued: false, seed: 9)).ToArray();
        int rows = mnistRows + randomRows;
        var view = new Matrix(rows, 784, x).View;

        string folder = Directory.CreateTempSubdirectory("freeenergy-onnx-").FullName;
        try
        {
            string path = Path.Combine(folder, "score.onnx");
            File.WriteAllBytes(path, OnnxExporter.Export(model, OnnxGraphKind.Score, new OnnxExportOptions { SubtractInputComplexity = true }));
            var r = OnnxRuntimeHarness.Run(new[] { new OrtCase("score", path, x, rows, 784) })["score"];
            Assert.True(r.Ok, r.Error);

            var codeLengths = new InputComplexity(28, 28).CodeLengths(view);
            Tolerance.AssertClose(codeLengths.Select(v => (double)v).ToArray(), r.Outputs[OnnxNames.InputComplexity].Data, "input_complexity");
            var corrected = InputComplexity.Correct(model.FreeEnergy(view), codeLengths);
            // The difference of two nearly equal terms: compare against the scale of the terms, not of their difference.
            var freeEnergy = model.FreeEnergy(view);
            for (int i = 0; i < rows; i++)
            {
                double scale = Math.Max(1, Math.Abs(freeEnergy[i]) + Math.Abs(codeLengths[i]));
                Assert.True(Math.Abs(r.Outputs[OnnxNames.CorrectedFreeEnergy].Data[i] - corrected[i]) <= 1e-5 * scale, $"row {i}: {r.Outputs[OnnxNames.CorrectedFreeEnergy].Data[i]} vs {corrected[i]}");
            }
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void Rows_that_are_not_square_images_are_refused_with_the_reason()
    {
        var document = TestModels.BernoulliRbm(12, 3, seed: 1, weightScale: 0.1);
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(Load(document), OnnxGraphKind.Score, new OnnxExportOptions { SubtractInputComplexity = true }));
        Assert.Contains("square", e.Message);
        Assert.Contains("12", e.Message);
    }

    private static IFreeEnergyModel Load(ModelDocument document)
        => document.Kind == ModelKinds.Vae ? Vae.FromDocument(document) : RbmBase.FromDocument(document);
}

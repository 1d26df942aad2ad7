using FreeEnergy.Onnx.Tests.Harness;
using FreeEnergy.Onnx.Tests.Reference;
using FreeEnergy.Persistence;

namespace FreeEnergy.Onnx.Tests;

/// <summary>ONNX Runtime enforces the declared input shape, and extreme parameters still give finite, correct scores.</summary>
public sealed class RobustnessTests
{
    [OnnxRuntimeFact]
    public void A_wrong_width_input_is_rejected_by_onnx_runtime_with_a_shape_error()
    {
        string folder = Directory.CreateTempSubdirectory("freeenergy-onnx-").FullName;
        try
        {
            var cases = new List<OrtCase>();
            foreach (var c in new[] { "bernoulli-rbm", "gaussian-rbm", "vae-relu-bernoulli" })
            {
                string path = Path.Combine(folder, c + ".onnx");
                OnnxExporter.ExportToFile(TestModels.Create(c), OnnxGraphKind.All, path);
                cases.Add(new OrtCase(c + "/785", path, new float[2 * 785], 2, 785));
                cases.Add(new OrtCase(c + "/783", path, new float[3 * 783], 3, 783));
                cases.Add(new OrtCase(c + "/784", path, new float[3 * 784], 3, 784)); // control: the right width runs
            }
            var results = OnnxRuntimeHarness.Run(cases);
            foreach (var c in cases)
            {
                var r = results[c.Id];
                if (c.Columns == 784) { Assert.True(r.Ok, r.Error); continue; }
                Assert.False(r.Ok, $"{c.Id} ran although the graph declares 784 columns");
                Assert.Contains("invalid dimensions", r.Error, StringComparison.OrdinalIgnoreCase);
                Assert.Contains(OnnxNames.Features, r.Error);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [OnnxRuntimeFact]
    public void Extreme_parameters_give_finite_correct_free_energies()
    {
        var random = new Random(5);
        // Pre-activations in the thousands: log(1 + exp(x)) overflows float beyond x ~ 88.7.
        var bernoulli = TestModels.BernoulliRbm(60, 24, seed: 1, weightScale: 60);
        var gaussian = WithSigma(TestModels.GaussianRbm(60, 24, seed: 2, weightScale: 20), 0.05f);
        var vae = TestModels.Vae(new VaeSpec("softplus", "bernoulli", new[] { 16 }, new[] { 16 }, 4, Beta: 1, PriorScale: 1, Samples: 2, Input: 60), seed: 3);
        vae = Scale(vae, "decoder.output.weight", 400f);
        vae = Scale(vae, "encoder.0.weight", 50f);

        var binary = new float[40 * 60];
        for (int i = 0; i < binary.Length; i++) binary[i] = random.Next(2);
        var real = TestModels.RandomRows(40, 60, realValued: true, seed: 4);
        for (int i = 0; i < real.Length; i++) real[i] *= 10;

        string folder = Directory.CreateTempSubdirectory("freeenergy-onnx-").FullName;
        try
        {
            var models = new (string Id, ModelDocument Doc, float[] Rows)[] { ("bernoulli", bernoulli, binary), ("gaussian", gaussian, real), ("vae", vae, binary) };
            var cases = new List<OrtCase>();
            foreach (var (id, doc, rows) in models)
            {
                string path = Path.Combine(folder, id + ".onnx");
                OnnxExporter.ExportToFile(doc, OnnxGraphKind.Score, path);
                cases.Add(new OrtCase(id, path, rows, 40, 60));
            }
            var results = OnnxRuntimeHarness.Run(cases);
            foreach (var (id, doc, rows) in models)
            {
                var r = results[id];
                Assert.True(r.Ok, r.Error);
                var actual = r.Outputs[OnnxNames.FreeEnergy].Data;
                Assert.All(actual, f => Assert.True(float.IsFinite(f), $"{id}: non-finite free energy {f}"));
                var expected = ExportedGraphTests.Reference(doc, rows, 40)[OnnxNames.FreeEnergy];
                Assert.True(expected.Max(Math.Abs) > 1000, $"{id}: the case is not extreme ({expected.Max(Math.Abs)})");
                Tolerance.AssertClose(expected, actual, id);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_extreme_rbm_really_has_preactivations_beyond_float_exp_range()
    {
        var doc = TestModels.BernoulliRbm(60, 24, seed: 1, weightScale: 60);
        var w = doc.Tensor("weights", 60, 24);
        double largest = 0;
        for (int j = 0; j < 24; j++)
        {
            double positive = 0;
            for (int i = 0; i < 60; i++) positive += Math.Max(0, w[i * 24 + j]);
            largest = Math.Max(largest, positive);
        }
        Assert.True(largest > 200, $"largest reachable pre-activation {largest}");
        Assert.True(float.IsInfinity(MathF.Exp(200f)));
    }

    private static ModelDocument WithSigma(ModelDocument doc, float sigma)
        => Replace(doc, "visible_sigma", t => Enumerable.Repeat(sigma, t.Data.Length).ToArray());

    private static ModelDocument Scale(ModelDocument doc, string name, float factor)
        => Replace(doc, name, t => t.Data.Select(v => v * factor).ToArray());

    private static ModelDocument Replace(ModelDocument doc, string name, Func<NamedTensor, float[]> data)
        => new(doc.Kind, doc.Hyperparameters, doc.Tensors.Select(t => t.Name == name ? t with { Data = data(t) } : t).ToList());
}

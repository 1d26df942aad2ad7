using FreeEnergy.Cli;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Models;
using FreeEnergy.Onnx.Tests.Harness;
using FreeEnergy.Onnx.Tests.Reference;
using FreeEnergy.Persistence;
using FreeEnergy.Tensors;
using FreeEnergy.Training;
using Xunit.Abstractions;

namespace FreeEnergy.Onnx.Tests;

/// <summary>
/// The two-level VAE (<see cref="HierarchicalVae"/>) exported as encode, reconstruct and score graphs: ONNX Runtime's
/// outputs equal the engine's (<c>EncodeDistribution</c>, <c>Reconstruct</c>, and <c>FreeEnergy</c> with the model's fixed
/// scoring noise) to 1e-5*max(1,|engine|), for tiny trained models of either likelihood.
/// </summary>
public sealed class TwoLevelVaeExportTests : IDisposable
{
    private const int Input = 16, Rows = 37;
    private readonly string _folder = Directory.CreateTempSubdirectory("freeenergy-onnx-vae2-").FullName;
    private readonly ITestOutputHelper _output;

    public TwoLevelVaeExportTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Tiny networks: likelihood, activation, hidden widths x-z1 and z1-z2, K scoring draws.</summary>
    public static TheoryData<VaeLikelihood, Activation, string, string, int> Networks() => new()
    {
        { VaeLikelihood.Bernoulli, Activation.Relu, "12,8", "6", 5 },
        { VaeLikelihood.Bernoulli, Activation.Softplus, "10", "", 1 },
        { VaeLikelihood.Gaussian, Activation.Tanh, "10", "6,5", 4 },
        { VaeLikelihood.Gaussian, Activation.Relu, "", "", 3 },
    };

    /// <summary>A two-level VAE trained for three epochs on <see cref="Data"/> (betas away from 1, so each weight shows).</summary>
    internal static HierarchicalVae TrainedModel(VaeLikelihood likelihood, Activation activation, string lower, string upper, int samples)
    {
        var options = new VaeTrainingOptions
        {
            LatentDimension = 4, UpperLatentDimension = 3, EncoderLayers = Parse(lower), UpperLayers = Parse(upper), Activation = activation,
            Likelihood = likelihood, Beta = 1.5f, UpperBeta = 0.7f, ScoringSamples = samples, Epochs = 3, BatchSize = 16, LearningRate = 3e-3f, Seed = 11,
        };
        return HierarchicalVaeTrainer.Train(Data(likelihood, 64, 2).View, null, options, new CpuBackend(1));
    }

    /// <summary>Rows in [0,1] (Bernoulli) or real-valued (Gaussian), from a fixed seed.</summary>
    internal static Matrix Data(VaeLikelihood likelihood, int rows, int seed)
        => new(rows, Input, TestModels.RandomRows(rows, Input, likelihood == VaeLikelihood.Gaussian, seed));

    private static int[] Parse(string text) => text.Length == 0 ? [] : text.Split(',').Select(int.Parse).ToArray();

    [Theory]
    [MemberData(nameof(Networks))]
    public void Encode_reconstruct_and_score_graphs_equal_the_engine(VaeLikelihood likelihood, Activation activation, string lower, string upper, int samples)
    {
        var model = TrainedModel(likelihood, activation, lower, upper, samples);
        var x = Data(likelihood, Rows, 5);
        var (mean, logVariance) = model.EncodeDistribution(x.View);
        var engine = new Dictionary<string, float[]>
        {
            [OnnxNames.LatentMean] = mean.Data,
            [OnnxNames.LatentLogVariance] = logVariance.Data,
            [OnnxNames.Reconstruction] = model.Reconstruct(x.View).Data,
            [OnnxNames.FreeEnergy] = model.FreeEnergy(x.View),
        };
        var document = model.ToDocument();
        var graphs = new[] { OnnxGraphKind.Encode, OnnxGraphKind.Reconstruct, OnnxGraphKind.Score, OnnxGraphKind.All };
        var cases = graphs.Select(g =>
        {
            string path = Path.Combine(_folder, OnnxNames.GraphName(g) + ".onnx");
            OnnxExporter.ExportToFile(document, g, path);
            return new OrtCase(OnnxNames.GraphName(g), path, x.Data, Rows, Input);
        }).ToList();
        var results = OnnxRuntimeHarness.Run(cases);
        string Graph(string output) => output == OnnxNames.Reconstruction ? "reconstruct" : output == OnnxNames.FreeEnergy ? "score" : "encode";
        foreach (var (name, e) in engine)
        {
            var expected = e.Select(v => (double)v).ToArray();
            foreach (var graph in new[] { Graph(name), "all" })
            {
                var r = results[graph];
                Assert.True(r.Ok, r.Error);
                Assert.Equal(name == OnnxNames.FreeEnergy ? [Rows] : new[] { Rows, e.Length / Rows }, r.Outputs[name].Shape);
                double maxAbs = expected.Zip(r.Outputs[name].Data, (a, b) => Math.Abs(a - b)).Max();
                _output.WriteLine($"{likelihood} {activation} {graph}/{name}: max |engine - ort| = {maxAbs:E2}, {Tolerance.WorstRatio(expected, r.Outputs[name].Data, out _):F3}x tol");
                Tolerance.AssertClose(expected, r.Outputs[name].Data, $"{likelihood} {activation} {graph}/{name}");
            }
        }
        Assert.Equal(new[] { OnnxNames.LatentLogVariance, OnnxNames.LatentMean }, results["encode"].Outputs.Keys.Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void The_score_graph_uses_the_models_fixed_noise()
    {
        // Replacing one stored draw changes the exported score: the graph reads the model's "scoring_noise", no draws of its own.
        var model = TrainedModel(VaeLikelihood.Bernoulli, Activation.Relu, "8", "6", 2);
        var document = model.ToDocument();
        var changed = new ModelDocument(document.Kind, document.Hyperparameters,
            document.Tensors.Select(t => t.Name == "scoring_noise" ? t with { Data = t.Data.Select(v => v + 0.5f).ToArray() } : t).ToList());
        Assert.NotEqual(OnnxExporter.Export(document, OnnxGraphKind.Score), OnnxExporter.Export(changed, OnnxGraphKind.Score));
        Assert.Equal(OnnxExporter.Export(document, OnnxGraphKind.Encode), OnnxExporter.Export(changed, OnnxGraphKind.Encode));
    }

    [Theory]
    [InlineData("encoder2.head.bias")]
    [InlineData("prior.head.weight")]
    [InlineData("scoring_noise")]
    public void A_missing_tensor_is_named(string tensor)
    {
        var full = TrainedModel(VaeLikelihood.Gaussian, Activation.Tanh, "10", "6", 2).ToDocument();
        var doc = new ModelDocument(full.Kind, full.Hyperparameters, full.Tensors.Where(t => t.Name != tensor).ToList());
        var ex = Assert.Throws<ModelFileException>(() => OnnxExporter.Export(doc, OnnxGraphKind.All));
        Assert.Contains(tensor, ex.Message);
    }

    [Theory]
    [InlineData("upper_beta", "0")]
    [InlineData("upper_latent", "7")]
    [InlineData("lower_layers", "9")]
    [InlineData("likelihood", "poisson")]
    public void A_bad_hyperparameter_is_named(string name, string value)
    {
        var full = TrainedModel(VaeLikelihood.Bernoulli, Activation.Relu, "10", "6", 2).ToDocument();
        var hyper = new Dictionary<string, string>(full.Hyperparameters) { [name] = value };
        var ex = Assert.Throws<ModelFileException>(() => OnnxExporter.Export(new ModelDocument(full.Kind, hyper, full.Tensors), OnnxGraphKind.All));
        Assert.Contains(name, ex.Message);
    }

    [Fact]
    public void The_export_verb_accepts_a_vae2_model_file()
    {
        var model = TrainedModel(VaeLikelihood.Bernoulli, Activation.Relu, "12,8", "6", 5);
        string file = Path.Combine(_folder, "vae2.fem");
        ModelFile.Save(file, model.ToDocument());
        string onnx = Path.Combine(_folder, "vae2-score.onnx");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandLineApp.Run(["export-onnx", "--model", file, "--graph", "score", "--out", onnx], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        Assert.Contains(ModelKinds.HierarchicalVae, stdout.ToString());
        var x = Data(VaeLikelihood.Bernoulli, Rows, 8);
        var r = OnnxRuntimeHarness.Run([new OrtCase("score", onnx, x.Data, Rows, Input)])["score"];
        Assert.True(r.Ok, r.Error);
        Tolerance.AssertClose(model.FreeEnergy(x.View).Select(v => (double)v).ToArray(), r.Outputs[OnnxNames.FreeEnergy].Data, "vae2 score via export-onnx");
    }

    [MnistOnnxRuntimeFact]
    public void A_vae2_trained_by_the_cli_on_mnist_exports_graphs_equal_to_the_engine()
    {
        string file = Path.Combine(_folder, "mnist-vae2.fem");
        var stderr = new StringWriter();
        int code = CommandLineApp.Run(["train", "--model", "vae2", "--data", MnistRows.ImagesPath!, "--max-rows", "600", "--latent", "8,4", "--layers", "64",
            "--upper-layers", "32", "--epochs", "2", "--batch", "50", "--threads", "1", "--out", file], new StringWriter(), stderr);
        Assert.True(code == 0, stderr.ToString());
        string onnx = Path.Combine(_folder, "mnist-vae2.onnx");
        code = CommandLineApp.Run(["export-onnx", "--model", file, "--graph", "all", "--out", onnx], new StringWriter(), stderr);
        Assert.True(code == 0, stderr.ToString());

        const int rows = 257;
        var x = MnistRows.Take(rows);
        var view = new Matrix(rows, MnistRows.Width, x).View;
        var model = HierarchicalVae.FromDocument(ModelFile.Load(file));
        var (mean, logVariance) = model.EncodeDistribution(view);
        var r = OnnxRuntimeHarness.Run([new OrtCase("all", onnx, x, rows, MnistRows.Width)])["all"];
        Assert.True(r.Ok, r.Error);
        foreach (var (name, e) in new[] { (OnnxNames.LatentMean, mean.Data), (OnnxNames.LatentLogVariance, logVariance.Data),
            (OnnxNames.Reconstruction, model.Reconstruct(view).Data), (OnnxNames.FreeEnergy, model.FreeEnergy(view)) })
        {
            var expected = e.Select(v => (double)v).ToArray();
            double maxAbs = expected.Zip(r.Outputs[name].Data, (a, b) => Math.Abs(a - b)).Max();
            _output.WriteLine($"mnist vae2 (784-64-8-32-4, K={model.ScoringSamples}) {name}: max |engine - ort| = {maxAbs:E2}, {Tolerance.WorstRatio(expected, r.Outputs[name].Data, out _):F3}x tol"
                + (name == OnnxNames.FreeEnergy ? $", mean F = {expected.Average():F2} nats" : ""));
            Tolerance.AssertClose(expected, r.Outputs[name].Data, "mnist vae2 " + name);
        }
    }
}

using FreeEnergy.Models;
using FreeEnergy.Onnx.Tests.Reference;
using FreeEnergy.Persistence;

namespace FreeEnergy.Onnx.Tests;

/// <summary>Documents the exporter cannot honour fail with a clear <see cref="ModelFileException"/>, and files are written atomically.</summary>
public sealed class ExportErrorTests
{
    [Fact]
    public void An_unknown_kind_is_refused()
    {
        var doc = new ModelDocument("boltzmann-tree", new Dictionary<string, string>(), Array.Empty<NamedTensor>());
        var ex = Assert.Throws<ModelFileException>(() => OnnxExporter.Export(doc, OnnxGraphKind.Score));
        Assert.Contains("boltzmann-tree", ex.Message);
    }

    [Theory]
    [InlineData("bernoulli-rbm", "hidden_bias")]
    [InlineData("gaussian-rbm", "visible_sigma")]
    [InlineData("vae-tanh-gaussian", "decoder.log_variance")]
    [InlineData("vae-relu-bernoulli", "scoring_noise")]
    [InlineData("vae-relu-bernoulli", "decoder.output.bias")]
    public void A_missing_tensor_is_named(string configuration, string tensor)
    {
        var full = TestModels.Create(configuration);
        var doc = new ModelDocument(full.Kind, full.Hyperparameters, full.Tensors.Where(t => t.Name != tensor).ToList());
        var ex = Assert.Throws<ModelFileException>(() => OnnxExporter.Export(doc, OnnxGraphKind.All));
        Assert.Contains(tensor, ex.Message);
    }

    [Theory]
    [InlineData("activation", "sigmoid")]
    [InlineData("likelihood", "poisson")]
    [InlineData("beta", "0")]
    [InlineData("prior_scale", "-1")]
    [InlineData("encoder_layers", "64")]
    [InlineData("latent", "9")]
    public void A_bad_vae_hyperparameter_is_named(string name, string value)
    {
        var full = TestModels.Create("vae-relu-bernoulli");
        var hyper = new Dictionary<string, string>(full.Hyperparameters) { [name] = value };
        var ex = Assert.Throws<ModelFileException>(() => OnnxExporter.Export(new ModelDocument(full.Kind, hyper, full.Tensors), OnnxGraphKind.All));
        Assert.Contains(name, ex.Message);
    }

    [Fact]
    public void A_non_positive_sigma_is_refused()
    {
        var full = TestModels.Create("gaussian-rbm");
        var tensors = full.Tensors.Select(t => t.Name == "visible_sigma" ? t with { Data = t.Data.Select((v, i) => i == 3 ? 0f : v).ToArray() } : t).ToList();
        var ex = Assert.Throws<ModelFileException>(() => OnnxExporter.Export(new ModelDocument(ModelKinds.GaussianRbm, full.Hyperparameters, tensors), OnnxGraphKind.Score));
        Assert.Contains("visible_sigma", ex.Message);
    }

    [Fact]
    public void Rbm_log_partition_adds_the_normalised_output_only_when_present()
    {
        var with = TestModels.BernoulliRbm(10, 4, seed: 1, weightScale: 0.1, logPartition: 3.5);
        var without = TestModels.BernoulliRbm(10, 4, seed: 1, weightScale: 0.1);
        Assert.Equal(new[] { OnnxNames.FreeEnergy, OnnxNames.NegativeLogLikelihood }, ExportedGraphTests.ExpectedOutputs(with, OnnxGraphKind.Score));
        string folder = Directory.CreateTempSubdirectory("freeenergy-onnx-").FullName;
        try
        {
            Assert.Equal(new[] { OnnxNames.FreeEnergy, OnnxNames.NegativeLogLikelihood }, OnnxExporter.ExportToFile(with, OnnxGraphKind.Score, Path.Combine(folder, "a.onnx")).Outputs);
            Assert.Equal(new[] { OnnxNames.FreeEnergy }, OnnxExporter.ExportToFile(without, OnnxGraphKind.Score, Path.Combine(folder, "b.onnx")).Outputs);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Export_to_file_replaces_the_file_and_leaves_no_temporary_files()
    {
        string folder = Directory.CreateTempSubdirectory("freeenergy-onnx-").FullName;
        try
        {
            string path = Path.Combine(folder, "model.onnx");
            File.WriteAllText(path, "old");
            var doc = TestModels.Create("bernoulli-rbm");
            var result = OnnxExporter.ExportToFile(doc, OnnxGraphKind.Encode, path);
            Assert.Equal(OnnxExporter.Export(doc, OnnxGraphKind.Encode), File.ReadAllBytes(path));
            Assert.Equal(new FileInfo(path).Length, result.Bytes);
            Assert.Equal(new[] { "model.onnx" }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Export_is_deterministic()
    {
        var doc = TestModels.Create("vae-softplus-gaussian");
        Assert.Equal(OnnxExporter.Export(doc, OnnxGraphKind.All), OnnxExporter.Export(doc, OnnxGraphKind.All));
    }
}

using System.Text.Json.Nodes;
using FreeEnergy.Cli;
using FreeEnergy.Onnx.Tests.Harness;
using FreeEnergy.Onnx.Tests.Reference;
using FreeEnergy.Persistence;

namespace FreeEnergy.Onnx.Tests;

/// <summary><c>freeenergy export-onnx</c>: a saved model file becomes an ONNX file that ONNX Runtime runs correctly.</summary>
public sealed class ExportOnnxCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("freeenergy-cli-onnx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandLineApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Json_mode_prints_one_object_describing_the_file()
    {
        string model = Path.Combine(_folder, "vae.fem");
        ModelFile.Save(model, TestModels.Create("vae-tanh-gaussian"));
        string onnx = Path.Combine(_folder, "vae.onnx");
        var (code, stdout, stderr) = Run("export-onnx", "--model", model, "--graph", "all", "--out", onnx, "--json");
        Assert.True(code == 0, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal("vae", json["model"]!.GetValue<string>());
        Assert.Equal("all", json["graph"]!.GetValue<string>());
        Assert.Equal(new FileInfo(onnx).Length, json["bytes"]!.GetValue<long>());
        Assert.Equal(17, json["opset"]!.GetValue<int>());
        Assert.Equal(new[] { "latent_mean", "latent_log_variance", "reconstruction", "free_energy" }, json["outputs"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray());
    }

    [OnnxRuntimeFact]
    public void The_exported_file_runs_in_onnx_runtime_and_matches_the_reference()
    {
        var doc = TestModels.Create("gaussian-rbm");
        string model = Path.Combine(_folder, "grbm.fem");
        ModelFile.Save(model, doc);
        string onnx = Path.Combine(_folder, "score.onnx");
        var (code, _, stderr) = Run("export-onnx", "--model", model, "--graph", "score", "--out", onnx);
        Assert.True(code == 0, stderr);
        var rows = TestModels.RandomRows(9, 784, realValued: true, seed: 2);
        var result = OnnxRuntimeHarness.Run(new[] { new OrtCase("score", onnx, rows, 9, 784) })["score"];
        Assert.True(result.Ok, result.Error);
        Tolerance.AssertClose(new ReferenceRbm(doc).Evaluate(rows, 9)[OnnxNames.FreeEnergy], result.Outputs[OnnxNames.FreeEnergy].Data, "cli score");
    }

    [Theory]
    [InlineData("--graph", "sample")]
    [InlineData("--graph", "")]
    public void A_bad_graph_name_exits_2(string option, string value)
    {
        string model = Path.Combine(_folder, "rbm.fem");
        ModelFile.Save(model, TestModels.Create("bernoulli-rbm"));
        var (code, stdout, stderr) = Run("export-onnx", "--model", model, option, value, "--out", Path.Combine(_folder, "x.onnx"));
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error:", stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains("--graph", stderr);
        Assert.False(File.Exists(Path.Combine(_folder, "x.onnx")));
    }

    [Fact]
    public void A_missing_model_file_exits_2_with_its_path()
    {
        string missing = Path.Combine(_folder, "missing.fem");
        var (code, _, stderr) = Run("export-onnx", "--model", missing, "--graph", "score", "--out", Path.Combine(_folder, "x.onnx"));
        Assert.Equal(2, code);
        Assert.Contains("missing.fem", stderr);
    }

    [Fact]
    public void A_corrupt_model_file_exits_2()
    {
        string bad = Path.Combine(_folder, "bad.fem");
        File.WriteAllBytes(bad, new byte[] { 1, 2, 3 });
        var (code, _, stderr) = Run("export-onnx", "--model", bad, "--graph", "score", "--out", Path.Combine(_folder, "x.onnx"));
        Assert.Equal(2, code);
        Assert.StartsWith("error:", stderr);
        Assert.Equal(new[] { "bad.fem" }, Directory.GetFiles(_folder).Select(Path.GetFileName).ToArray());
    }

    [Fact]
    public void Missing_required_options_exit_2()
    {
        var (code, _, stderr) = Run("export-onnx", "--graph", "score");
        Assert.Equal(2, code);
        Assert.Contains("--model", stderr);
    }
}

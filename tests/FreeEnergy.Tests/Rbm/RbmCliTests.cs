using System.Globalization;
using System.Text.Json;
using FreeEnergy.Estimation;
using FreeEnergy.Models;
using FreeEnergy.Persistence;
using FreeEnergy.Tests.Cli;

namespace FreeEnergy.Tests.Rbm;

public sealed class RbmCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fe-rbm-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteCsv(string name, float[][] rows)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, rows.Select(r => string.Join(",", r.Select(x => x.ToString(CultureInfo.InvariantCulture)))));
        return path;
    }

    private string BinaryData(string name = "train.csv")
    {
        var m = RbmTestData.RandomBinary(120, 16, 5);
        return WriteCsv(name, Enumerable.Range(0, m.Rows).Select(r => m.Row(r).ToArray()).ToArray());
    }

    [Fact]
    public void TrainScoreEvalEncodeReconstructSampleRoundTrip()
    {
        var data = BinaryData();
        var model = Path.Combine(_dir, "m.fem");
        var (code, stdout, stderr) = CliSmokeTests.Run("train", "--model", "rbm", "--data", data, "--hidden", "6", "--epochs", "3", "--batch", "20", "--estimate", "exact", "--out", model, "--json");
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout)) Assert.Equal(3, doc.RootElement.GetProperty("epochs").GetInt32());
        var rbm = (BernoulliRbm)RbmBase.FromDocument(ModelFile.Load(model));
        Assert.Equal(ExactLogPartition.Compute(rbm), rbm.LogPartition!.Value, 6);

        var scores = Path.Combine(_dir, "s.csv");
        (code, stdout, stderr) = CliSmokeTests.Run("score", "--model", model, "--data", data, "--estimator", "exact", "--out", scores, "--json");
        Assert.True(code == 0, stderr);
        var lines = File.ReadAllLines(scores);
        Assert.Equal("negative_log_likelihood", lines[0]);
        Assert.Equal(121, lines.Length);

        (code, stdout, stderr) = CliSmokeTests.Run("eval", "--model", model, "--data", data, "--estimator", "ais", "--ais-runs", "16", "--ais-betas", "300", "--json");
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout))
        {
            double z = doc.RootElement.GetProperty("logPartition").GetDouble();
            Assert.InRange(z, rbm.LogPartition.Value - 0.3, rbm.LogPartition.Value + 0.3);
        }

        var enc = Path.Combine(_dir, "e.csv");
        Assert.Equal(0, CliSmokeTests.Run("encode", "--model", model, "--data", data, "--out", enc).Code);
        Assert.Equal(6, File.ReadAllLines(enc)[1].Split(",").Length);
        var png = Path.Combine(_dir, "r.png");
        Assert.Equal(0, CliSmokeTests.Run("reconstruct", "--model", model, "--data", data, "--max-rows", "9", "--out", png).Code);
        Assert.Equal(0x89, File.ReadAllBytes(png)[0]);
        var samples = Path.Combine(_dir, "samples.png");
        (code, _, stderr) = CliSmokeTests.Run("sample", "--model", model, "--count", "4", "--burn-in", "10", "--out", samples);
        Assert.True(code == 0, stderr);
        Assert.Equal("PNG", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(samples), 1, 3));
    }

    [Fact]
    public void VaeModelsGoThroughTheSameVerbs()
    {
        var data = BinaryData();
        var model = Path.Combine(_dir, "v.fem");
        var (code, stdout, stderr) = CliSmokeTests.Run("train", "--model", "vae", "--data", data, "--latent", "3", "--layers", "8", "--epochs", "2", "--batch", "20", "--out", model, "--json");
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout)) Assert.Equal("vae", doc.RootElement.GetProperty("model").GetString());
        var scores = Path.Combine(_dir, "vs.csv");
        (code, _, stderr) = CliSmokeTests.Run("score", "--model", model, "--data", data, "--out", scores);
        Assert.True(code == 0, stderr);
        Assert.Equal(121, File.ReadAllLines(scores).Length);
        var enc = Path.Combine(_dir, "ve.csv");
        Assert.Equal(0, CliSmokeTests.Run("encode", "--model", model, "--data", data, "--out", enc).Code);
        Assert.Equal("z0,z1,z2", File.ReadAllLines(enc)[0]);
        (code, _, stderr) = CliSmokeTests.Run("score", "--model", model, "--data", data, "--estimator", "ais", "--out", scores);
        Assert.Equal(2, code);
        Assert.Contains("applies to RBMs", stderr);
    }

    [Fact]
    public void VaeTrainsTheImportanceWeightedBoundWithIwae()
    {
        var data = BinaryData();
        var model = Path.Combine(_dir, "iw.fem");
        var (code, stdout, stderr) = CliSmokeTests.Run("train", "--model", "vae", "--data", data, "--latent", "3", "--layers", "8", "--epochs", "2", "--batch", "20",
            "--iwae", "3", "--lr-stages", "--out", model, "--json");
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout)) Assert.Equal(3, doc.RootElement.GetProperty("importanceSamples").GetInt32());
        (code, _, stderr) = CliSmokeTests.Run("train", "--model", "vae", "--data", data, "--iwae", "0", "--out", model);
        Assert.Equal(2, code);
        Assert.Contains("--iwae", stderr);
        (code, _, stderr) = CliSmokeTests.Run("train", "--model", "rbm", "--data", data, "--iwae", "5", "--out", model);
        Assert.Equal(2, code);
        Assert.Contains("--model vae only", stderr);
    }

    [Fact]
    public void TwoLevelVaeGoesThroughTrainScoreEvalEncodeAndInfo()
    {
        var data = BinaryData();
        var model = Path.Combine(_dir, "v2.fem");
        var (code, stdout, stderr) = CliSmokeTests.Run("train", "--model", "vae2", "--data", data, "--latent", "3,2", "--layers", "8", "--epochs", "2", "--batch", "20",
            "--iwae", "2", "--out", model, "--json");
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout))
        {
            Assert.Equal("hierarchical-vae", doc.RootElement.GetProperty("model").GetString());
            Assert.Equal(2, doc.RootElement.GetProperty("upperLatent").GetInt32());
        }
        var scores = Path.Combine(_dir, "v2s.csv");
        (code, _, stderr) = CliSmokeTests.Run("score", "--model", model, "--data", data, "--out", scores);
        Assert.True(code == 0, stderr);
        Assert.Equal(121, File.ReadAllLines(scores).Length);
        (code, _, stderr) = CliSmokeTests.Run("score", "--model", model, "--data", data, "--estimator", "iwae", "--samples", "10", "--out", scores);
        Assert.True(code == 0, stderr);
        Assert.Equal("iwae", File.ReadAllLines(scores)[0]);
        (code, stdout, stderr) = CliSmokeTests.Run("eval", "--model", model, "--data", data, "--samples", "10", "--json");
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout)) Assert.True(doc.RootElement.GetProperty("iwae").GetProperty("mean").GetDouble() > 0);
        var enc = Path.Combine(_dir, "v2e.csv");
        Assert.Equal(0, CliSmokeTests.Run("encode", "--model", model, "--data", data, "--out", enc).Code);
        Assert.Equal("z0,z1,z2", File.ReadAllLines(enc)[0]);
        (code, stdout, stderr) = CliSmokeTests.Run("info", "--model", model);
        Assert.True(code == 0, stderr);
        Assert.Contains("hierarchical-vae", stdout);
        (code, _, stderr) = CliSmokeTests.Run("sample", "--model", model, "--count", "2", "--out", Path.Combine(_dir, "v2.csv"));
        Assert.True(code == 0, stderr);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(_dir, "v2.csv")).Length);
        (code, _, stderr) = CliSmokeTests.Run("train", "--model", "vae2", "--data", data, "--latent", "3", "--out", model);
        Assert.Equal(2, code);
        Assert.Contains("two sizes", stderr);
    }

    [Fact]
    public void BadInputExitsTwoWithOneLineAndNoOutputFile()
    {
        var bad = WriteCsv("bad.csv", [[0f, 1f, 0.5f], [1f, 3f, 0f]]);
        var model = Path.Combine(_dir, "m.fem");
        var (code, stdout, stderr) = CliSmokeTests.Run("train", "--model", "rbm", "--data", bad, "--out", model);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("row 2", stderr);
        Assert.False(File.Exists(model));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        (code, _, stderr) = CliSmokeTests.Run("train", "--model", "rbm", "--data", BinaryData(), "--latent", "4", "--out", model);
        Assert.Equal(2, code);
        Assert.Contains("vae only", stderr);

        (code, _, stderr) = CliSmokeTests.Run("train", "--model", "rbm", "--data", BinaryData(), "--cd", "1", "--tap", "2", "--out", model);
        Assert.Equal(2, code);
        Assert.Contains("one of", stderr);
    }
}

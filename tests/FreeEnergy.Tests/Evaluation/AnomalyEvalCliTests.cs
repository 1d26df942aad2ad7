using System.Text.Json;
using FreeEnergy.Tests.Cli;
using FreeEnergy.Tests.Data;

namespace FreeEnergy.Tests.Evaluation;

/// <summary><c>anomaly-eval</c> on a tiny MNIST-shaped set: every model score is reported raw and complexity-corrected.</summary>
public sealed class AnomalyEvalCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fe-anomaly-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // 8x8 images: class 0 a horizontal bar, class 1 a vertical bar, class 2 a filled square, each at a random place
    // with a little pixel noise (grey values, so binarisation matters).
    private void WriteSet(string prefix, int n, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[n * 64];
        var labels = new byte[n];
        for (int i = 0; i < n; i++)
        {
            int label = i % 3, at = random.Next(2, 6);
            labels[i] = (byte)label;
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                {
                    bool ink = label switch { 0 => y == at, 1 => x == at, _ => Math.Abs(x - at) < 2 && Math.Abs(y - at) < 2 };
                    if (random.NextDouble() < 0.05) ink = !ink;
                    pixels[i * 64 + y * 8 + x] = (byte)(ink ? random.Next(160, 256) : random.Next(0, 100));
                }
        }
        File.WriteAllBytes(Path.Combine(_dir, $"{prefix}-images-idx3-ubyte.gz"), IdxFiles.Gzip(IdxFiles.UnsignedBytes([n, 8, 8], pixels)));
        File.WriteAllBytes(Path.Combine(_dir, $"{prefix}-labels-idx1-ubyte.gz"), IdxFiles.Gzip(IdxFiles.UnsignedBytes([n], labels)));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public void ReportsRawAndCorrectedScoresPerClass(string binarize)
    {
        WriteSet("train", 300, 1);
        WriteSet("t10k", 150, 2);
        var (code, stdout, stderr) = CliSmokeTests.Run("anomaly-eval", "--data-dir", _dir, "--classes", "0,2", "--epochs", "2", "--hidden", "4",
            "--latent", "2", "--layers", "8", "--samples", "4", "--threads", "1", "--binarize", binarize, "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(binarize == "true", root.GetProperty("binarized").GetBoolean());
        string[] names = ["rbm_free_energy", "vae_free_energy", "vae_iwae", "vae_cumulant"];
        var classes = root.GetProperty("classes").EnumerateArray().ToArray();
        Assert.Equal([0, 2], classes.Select(c => c.GetProperty("class").GetInt32()));
        foreach (var name in names.Concat(names.Select(n => n + "_corrected")))
        {
            foreach (var c in classes) Assert.InRange(c.GetProperty(name).GetDouble(), 0, 100);
            double mean = classes.Average(c => c.GetProperty(name).GetDouble());
            Assert.Equal(mean, root.GetProperty("mean").GetProperty(name).GetDouble(), 0.011);
        }
    }

    [Fact]
    public void TwoLevelVaeTakesTrainsOptionsAndReportsRawAndCorrectedScores()
    {
        WriteSet("train", 300, 1);
        WriteSet("t10k", 150, 2);
        var (code, stdout, stderr) = CliSmokeTests.Run("anomaly-eval", "--data-dir", _dir, "--model", "vae2", "--classes", "1", "--epochs", "2",
            "--latent", "3,2", "--layers", "8", "--upper-layers", "4", "--beta", "1.5", "--iwae", "2", "--lr", "0.003", "--batch", "32",
            "--samples", "4", "--threads", "1", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("vae2", root.GetProperty("model").GetString());
        var entry = root.GetProperty("classes").EnumerateArray().Single();
        string[] names = ["vae2_free_energy", "vae2_iwae", "vae2_cumulant"];
        foreach (var name in names.Concat(names.Select(n => n + "_corrected")))
            Assert.InRange(entry.GetProperty(name).GetDouble(), 0, 100);
        Assert.False(entry.TryGetProperty("vae_free_energy", out _));
        Assert.False(entry.TryGetProperty("rbm_free_energy", out _));
        // The same run again gives the same AUCs (seeded training and scoring).
        var (again, stdout2, _) = CliSmokeTests.Run("anomaly-eval", "--data-dir", _dir, "--model", "vae2", "--classes", "1", "--epochs", "2",
            "--latent", "3,2", "--layers", "8", "--upper-layers", "4", "--beta", "1.5", "--iwae", "2", "--lr", "0.003", "--batch", "32",
            "--samples", "4", "--threads", "1", "--json");
        Assert.Equal(0, again);
        using var doc2 = JsonDocument.Parse(stdout2);
        Assert.Equal(entry.GetProperty("vae2_iwae_corrected").GetDouble(), doc2.RootElement.GetProperty("classes")[0].GetProperty("vae2_iwae_corrected").GetDouble());
    }

    [Fact]
    public void DynamicBinarizationTrainsTheVaeOnDrawsOfTheGreyImagesAndLeavesTheRbmAlone()
    {
        WriteSet("train", 300, 1);
        WriteSet("t10k", 150, 2);
        JsonElement Run(params string[] extra)
        {
            var (code, stdout, stderr) = CliSmokeTests.Run(["anomaly-eval", "--data-dir", _dir, "--classes", "2", "--epochs", "2", "--hidden", "4",
                "--latent", "2", "--layers", "8", "--samples", "4", "--threads", "1", "--json", .. extra]);
            Assert.True(code == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            return doc.RootElement.Clone();
        }
        var plain = Run();
        var dynamic = Run("--dynamic-binarize");
        Assert.False(plain.GetProperty("dynamicBinarization").GetBoolean());
        Assert.True(dynamic.GetProperty("dynamicBinarization").GetBoolean());
        Assert.True(dynamic.GetProperty("binarized").GetBoolean());
        var a = plain.GetProperty("classes")[0];
        var b = dynamic.GetProperty("classes")[0];
        // The RBM still trains on the thresholded images; the VAE on fresh draws of the grey ones (so another model).
        Assert.Equal(a.GetProperty("rbm_free_energy").GetDouble(), b.GetProperty("rbm_free_energy").GetDouble());
        Assert.InRange(b.GetProperty("vae_free_energy").GetDouble(), 0, 100);
        Assert.NotEqual(a.GetProperty("vae_iwae_corrected").GetDouble(), b.GetProperty("vae_iwae_corrected").GetDouble());
    }

    [Theory]
    [InlineData("vae2", "3", "two sizes")]
    [InlineData("vae", "3,2", "one size")]
    [InlineData("rbm", "3", "apply to --model vae, vae2 or both")]
    public void VaeShapeOptionsAreCheckedBeforeTraining(string model, string latent, string message)
    {
        WriteSet("train", 30, 1);
        WriteSet("t10k", 30, 2);
        var (code, stdout, stderr) = CliSmokeTests.Run("anomaly-eval", "--data-dir", _dir, "--model", model, "--classes", "0", "--epochs", "1", "--latent", latent, "--json");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public void NonSquareImagesAreRefused()
    {
        var pixels = new byte[30 * 12];
        var labels = new byte[30];
        for (int i = 0; i < 30; i++) labels[i] = (byte)(i % 2);
        foreach (var prefix in new[] { "train", "t10k" })
        {
            File.WriteAllBytes(Path.Combine(_dir, $"{prefix}-images-idx3-ubyte.gz"), IdxFiles.Gzip(IdxFiles.UnsignedBytes([30, 3, 4], pixels)));
            File.WriteAllBytes(Path.Combine(_dir, $"{prefix}-labels-idx1-ubyte.gz"), IdxFiles.Gzip(IdxFiles.UnsignedBytes([30], labels)));
        }
        var (code, _, stderr) = CliSmokeTests.Run("anomaly-eval", "--data-dir", _dir, "--classes", "0", "--epochs", "1", "--json");
        Assert.Equal(2, code);
        Assert.Contains("square", stderr);
    }
}

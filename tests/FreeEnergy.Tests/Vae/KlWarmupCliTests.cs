using System.Globalization;
using System.Text.Json;
using FreeEnergy.Persistence;
using FreeEnergy.Training;
using FreeEnergy.Tests.Cli;
using FreeEnergy.Tests.Data;
using Xunit;

namespace FreeEnergy.Tests.Vae;

/// <summary><c>--kl-warmup</c> on the VAE verbs: recorded in the model and the JSON, refused for an RBM and when negative.</summary>
public sealed class KlWarmupCliTests
{
    [Fact]
    public void TwoLevelsWarmUpByDefaultAndOneLevelDoesNot()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("grey.csv", string.Join("\n", Enumerable.Range(0, 30).Select(r =>
            string.Join(",", Enumerable.Range(0, 5).Select(c => ((r * 5 + c * 2) % 9 / 8f).ToString("R", CultureInfo.InvariantCulture))))) + "\n");
        foreach (var (kind, latent, expected) in new[] { ("vae", "2", 0), ("vae2", "2,2", 4) })
        {
            var (code, stdout, stderr) = CliSmokeTests.Run("train", "--model", kind, "--data", data, "--latent", latent, "--layers", "6", "--epochs", "4",
                "--batch", "10", "--out", dir.File(kind + ".fem"), "--json");
            Assert.True(code == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            Assert.Equal(expected, doc.RootElement.GetProperty("klWarmupEpochs").GetInt32());
        }
        Assert.Equal(0, VaeDefaults.KlWarmupEpochs(twoLevel: false, epochs: 100));
        Assert.Equal(12, VaeDefaults.KlWarmupEpochs(twoLevel: true, epochs: 12));
        Assert.Equal(VaeDefaults.TwoLevelKlWarmupEpochs, VaeDefaults.KlWarmupEpochs(twoLevel: true, epochs: 100));
    }

    [Fact]
    public void TrainRecordsTheWarmupForBothDepths()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("grey.csv", string.Join("\n", Enumerable.Range(0, 40).Select(r =>
            string.Join(",", Enumerable.Range(0, 6).Select(c => ((r * 7 + c * 3) % 11 / 10f).ToString("R", CultureInfo.InvariantCulture))))) + "\n");
        foreach (var (kind, latent) in new[] { ("vae", "3"), ("vae2", "3,2") })
        {
            string model = dir.File(kind + ".fem");
            var (code, stdout, stderr) = CliSmokeTests.Run("train", "--model", kind, "--data", data, "--latent", latent, "--layers", "8", "--epochs", "3",
                "--batch", "10", "--kl-warmup", "2", "--out", model, "--json");
            Assert.True(code == 0, stderr);
            using (var doc = JsonDocument.Parse(stdout)) Assert.Equal(2, doc.RootElement.GetProperty("klWarmupEpochs").GetInt32());
            Assert.Equal("2", ModelFile.Load(model).Hyperparameters["kl_warmup_epochs"]);
        }
        var (rbmCode, _, rbmErr) = CliSmokeTests.Run("train", "--model", "rbm", "--data", data, "--kl-warmup", "2", "--out", dir.File("r.fem"));
        Assert.Equal(2, rbmCode);
        Assert.Contains("--kl-warmup apply to --model vae2 and --model vae only", rbmErr);
        var (negativeCode, _, negativeErr) = CliSmokeTests.Run("train", "--model", "vae", "--data", data, "--kl-warmup", "-1", "--out", dir.File("v.fem"));
        Assert.Equal(2, negativeCode);
        Assert.Contains("--kl-warmup", negativeErr);
    }
}

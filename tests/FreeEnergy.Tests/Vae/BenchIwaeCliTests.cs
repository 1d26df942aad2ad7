using System.Text.Json;
using FreeEnergy.Cli;
using FreeEnergy.Tests.Data;

namespace FreeEnergy.Tests.Vae;

public class BenchIwaeCliTests
{
    [Fact]
    public void ReportsTestNllAndEpochRatiosForTheFourRuns()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte.gz"), IdxFiles.Gzip(IdxFiles.Mnist(60, 28, 28).Images));
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte.gz"), IdxFiles.Gzip(IdxFiles.Mnist(10, 28, 28).Images));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandLineApp.Run(["bench", "iwae", "--data", dir.Path, "--epochs", "1", "--iwae", "3", "--test-samples", "20", "--threads", "1", "--json"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        var result = JsonDocument.Parse(stdout.ToString()).RootElement;
        var runs = result.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(["elbo", "iwae-3", "elbo", "iwae-3"], runs.Select(r => r.GetProperty("objective").GetString()));
        foreach (var r in runs)
        {
            double nll = r.GetProperty("testNll").GetDouble();
            Assert.True(nll > 0 && nll <= r.GetProperty("testNegElbo").GetDouble() + 1e-3, $"IWAE {nll} above F_q {r.GetProperty("testNegElbo")}");
        }
        Assert.True(result.GetProperty("twoLevelOverOneLevelEpoch").GetDouble() > 0);
        Assert.True(result.GetProperty("iwaeOverElboEpochOneLevel").GetDouble() > 0);
    }
}

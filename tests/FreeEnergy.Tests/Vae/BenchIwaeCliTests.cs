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
        IdxFiles.WriteMnistDirectory(dir, 60, 10);
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

    [Fact]
    public void BenchIwaeRunsOnlyTheChosenDepthsAndObjectives()
    {
        using var dir = new TempDirectory();
        IdxFiles.WriteMnistDirectory(dir, 40, 8);
        var (code, stdout, stderr) = Bench(dir.Path, "--levels", "2", "--objectives", "iwae", "--kl-warmup", "2");
        Assert.True(code == 0, stderr);
        var result = JsonDocument.Parse(stdout).RootElement;
        var run = Assert.Single(result.GetProperty("runs").EnumerateArray());
        Assert.StartsWith("two-level", run.GetProperty("model").GetString());
        Assert.Equal("iwae-2", run.GetProperty("objective").GetString());
        Assert.Equal(2, result.GetProperty("klWarmupEpochs").GetInt32());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("twoLevelOverOneLevelEpoch").ValueKind);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("iwaeOverElboEpochTwoLevel").ValueKind);
        var active = run.GetProperty("activeUnits");
        Assert.InRange(active.GetProperty("z1").GetInt32(), 0, active.GetProperty("z1Of").GetInt32());
        Assert.InRange(active.GetProperty("z2").GetInt32(), 0, active.GetProperty("z2Of").GetInt32());

        var (badCode, _, badErr) = Bench(dir.Path, "--levels", "3");
        Assert.Equal(2, badCode);
        Assert.Contains("--levels '3': expected one or more of 1, 2", badErr);
    }

    [Fact]
    public void RoundsRetrainEveryConfigurationAndReportTheMedianOfTheRoundsRatios()
    {
        using var dir = new TempDirectory();
        IdxFiles.WriteMnistDirectory(dir, 40, 8);
        var (code, stdout, stderr) = Bench(dir.Path, "--objectives", "elbo", "--rounds", "3");
        Assert.True(code == 0, stderr);
        var result = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(3, result.GetProperty("rounds").GetInt32());
        var runs = result.GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(2, runs.Length);
        var perRound = runs.Select(r => r.GetProperty("cpuSecondsPerEpochByRound").EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToArray();
        Assert.All(perRound, p => Assert.Equal(3, p.Length));
        for (int i = 0; i < 2; i++)
        {
            var sorted = perRound[i].Order().ToArray();
            Assert.Equal(sorted[1], runs[i].GetProperty("cpuSecondsPerEpoch").GetDouble());
        }
        var ratios = perRound[1].Zip(perRound[0], (two, one) => two / one).Order().ToArray();
        Assert.Equal(ratios[1], result.GetProperty("twoLevelOverOneLevelEpoch").GetDouble(), 12);

        var (badCode, _, badErr) = Bench(dir.Path, "--rounds", "0");
        Assert.Equal(2, badCode);
        Assert.Contains("--rounds", badErr);
    }

    /// <summary><c>bench iwae</c> for one epoch (IWAE-2, 10 test draws, one thread, JSON) on the MNIST directory <paramref name="data"/>, with <paramref name="extra"/>.</summary>
    internal static (int Code, string Stdout, string Stderr) Bench(string data, params string[] extra)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandLineApp.Run(["bench", "iwae", "--data", data, "--epochs", "1", "--iwae", "2", "--test-samples", "10", "--threads", "1", "--json", .. extra], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

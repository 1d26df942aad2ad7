using System.Text.Json;
using FreeEnergy.Cli;
using FreeEnergy.Tests.Data;

namespace FreeEnergy.Tests.Vae;

public class BenchVaeCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandLineApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static JsonElement Bench(string dir, int threads, int epochs = 2)
    {
        var (code, stdout, stderr) = Run("bench", "vae", "--data", dir, "--epochs", epochs.ToString(), "--threads", threads.ToString(), "--json");
        Assert.True(code == 0, stderr);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    [Fact]
    public void ReportsEpochTimesAndTestFreeEnergy()
    {
        using var dir = new TempDirectory();
        IdxFiles.WriteMnistDirectory(dir, 300, 50);
        var result = Bench(dir.Path, threads: 2);

        Assert.Equal(300, result.GetProperty("trainRows").GetInt32());
        Assert.Equal(50, result.GetProperty("testRows").GetInt32());
        var seconds = result.GetProperty("secondsPerEpoch").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(2, seconds.Length);
        Assert.All(seconds, s => Assert.True(s > 0));
        var epochs = result.GetProperty("epochs").EnumerateArray().ToArray();
        double first = epochs[0].GetProperty("trainNegElbo").GetDouble(), second = epochs[1].GetProperty("trainNegElbo").GetDouble();
        // -ELBO is positive (a Bernoulli likelihood on 784 pixels plus a KL >= 0) and training lowers it.
        Assert.True(first > 0 && second < first, $"{first} -> {second}");
        double test = result.GetProperty("testNegElbo").GetDouble();
        Assert.True(double.IsFinite(test) && test > 0, test.ToString());
    }

    [Fact]
    public void SameSeedGivesTheSameLossesAtAnyThreadCount()
    {
        using var dir = new TempDirectory();
        IdxFiles.WriteMnistDirectory(dir, 260, 20);
        var one = Bench(dir.Path, threads: 1, epochs: 1);
        var two = Bench(dir.Path, threads: 2, epochs: 1);
        Assert.Equal(one.GetProperty("trainNegElbo").GetDouble(), two.GetProperty("trainNegElbo").GetDouble());
        Assert.Equal(one.GetProperty("testNegElbo").GetDouble(), two.GetProperty("testNegElbo").GetDouble());
    }

    [Fact]
    public void MissingDataExitsTwoWithOneLine()
    {
        using var dir = new TempDirectory();
        var (code, stdout, stderr) = Run("bench", "vae", "--data", dir.File("nothing-here"), "--json");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("nothing-here", stderr);
    }
}

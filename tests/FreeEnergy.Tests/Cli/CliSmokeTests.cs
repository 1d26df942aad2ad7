using System.Text.Json;
using FreeEnergy.Cli;

namespace FreeEnergy.Tests.Cli;

public class CliSmokeTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandLineApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void InfoJsonIsOneObject()
    {
        var (code, stdout, stderr) = Run("info", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("FreeEnergyML", doc.RootElement.GetProperty("library").GetString());
    }

    [Fact]
    public void BenchGemmJsonReportsGflops()
    {
        var (code, stdout, _) = Run("bench", "gemm", "--m", "17", "--n", "9", "--k", "5", "--repeats", "2", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.True(doc.RootElement.GetProperty("gflops").GetDouble() > 0);
    }

    [Theory]
    [InlineData("bench", "gemm", "--m", "0")]
    [InlineData("bench", "gemm", "--m", "abc")]
    [InlineData("no-such-verb")]
    [InlineData("info", "--model", "/no/such/file.fem")]
    public void BadInputExitsTwoWithOneLine(params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith("error:", stderr);
    }
}

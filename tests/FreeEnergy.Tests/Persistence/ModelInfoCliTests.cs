using System.Text.Json;
using FreeEnergy.Cli;
using FreeEnergy.Persistence;
using FreeEnergy.Tests.Data;

namespace FreeEnergy.Tests.Persistence;

public class ModelInfoCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandLineApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void InfoDescribesAModelFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("model.fem");
        ModelFile.Save(path, ModelFileTests.Sample());

        var (code, stdout, stderr) = Run("info", "--model", path, "--json");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        using var doc = JsonDocument.Parse(stdout);
        var model = doc.RootElement.GetProperty("model");
        Assert.Equal("bernoulli-rbm", model.GetProperty("kind").GetString());
        Assert.Equal("1", model.GetProperty("formatVersion").GetString());
        Assert.Equal(LibraryInfo.Version, model.GetProperty("libraryVersion").GetString());
        Assert.Equal("3", model.GetProperty("hyperparameters").GetProperty("hidden").GetString());
        Assert.Equal(12 + 4 + 3, model.GetProperty("parameters").GetInt64());
        var weights = model.GetProperty("tensors")[0];
        Assert.Equal("weights", weights.GetProperty("name").GetString());
        Assert.Equal(new[] { 4, 3 }, weights.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void InfoOnACorruptModelExitsTwoWithOneLine()
    {
        using var dir = new TempDirectory();
        var path = dir.File("model.fem");
        ModelFile.Save(path, ModelFileTests.Sample());
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 1;
        File.WriteAllBytes(path, bytes);

        var (code, stdout, stderr) = Run("info", "--model", path);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("content hash does not match", stderr);
        Assert.Contains(path, stderr);
    }
}

using System.CommandLine;
using System.Text.Json.Nodes;
using FreeEnergy.Cli;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Data;
using FreeEnergy.Estimation;
using FreeEnergy.Persistence;
using FreeEnergy.Tests.Reliability;

namespace FreeEnergy.Tests.Cli;

/// <summary>
/// What a new user meets on the README's CLI tour: the common JSON fields of every verb, help text, the readable
/// <c>info --model</c> table, sampling a VAE, <c>score --binarize</c>, progress of long steps, output-path checks and
/// the AIS progress callback.
/// </summary>
public sealed class CliTourTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliSmokeTests.Run(args);

    private static JsonObject Json(string stdout) => JsonNode.Parse(stdout)!.AsObject();

    /// <summary>Every verb's --json object starts with verb and version, then model/seed/backend where they apply, and seconds.</summary>
    [Fact]
    public void EveryVerbsJsonHasTheCommonFields()
    {
        using var files = new ReliabilityFiles();
        var rbm = files.Save("rbm.fem", ReliabilityFiles.SmallRbm());
        var vae = files.Save("vae.fem", ReliabilityFiles.SmallVae());
        var data = files.Csv("data.csv", ReliabilityFiles.Binary(30, ReliabilityFiles.Width, 2));
        string Out(string name) => files.Path(name);
        var runs = new (string[] Args, string Verb, string? Model, bool Seed, bool Backend)[]
        {
            (["train", "--model", "rbm", "--data", data, "--hidden", "3", "--epochs", "1", "--out", Out("t.fem")], "train", "bernoulli-rbm", true, true),
            (["train", "--model", "vae", "--data", data, "--latent", "2", "--layers", "4", "--epochs", "1", "--out", Out("tv.fem")], "train", "vae", true, true),
            (["score", "--model", rbm, "--data", data, "--out", Out("s.csv")], "score", "bernoulli-rbm", true, true),
            (["score", "--model", vae, "--data", data, "--estimator", "iwae", "--samples", "3", "--out", Out("sv.csv")], "score", "vae", true, true),
            (["eval", "--model", rbm, "--data", data, "--estimator", "exact"], "eval", "bernoulli-rbm", true, true),
            (["eval", "--model", vae, "--data", data, "--samples", "3"], "eval", "vae", true, true),
            (["encode", "--model", rbm, "--data", data, "--out", Out("e.csv")], "encode", "bernoulli-rbm", false, true),
            (["reconstruct", "--model", vae, "--data", data, "--out", Out("r.csv")], "reconstruct", "vae", false, true),
            (["sample", "--model", rbm, "--count", "4", "--burn-in", "5", "--thinning", "1", "--out", Out("p.csv")], "sample", "bernoulli-rbm", true, true),
            (["sample", "--model", vae, "--count", "4", "--out", Out("pv.csv")], "sample", "vae", true, true),
            (["export-onnx", "--model", vae, "--graph", "score", "--out", Out("m.onnx")], "export-onnx", "vae", false, false),
            (["info"], "info", null, false, false),
            (["device", "--device", "cpu"], "device", null, false, true),
            (["bench", "gemm", "--m", "8", "--n", "8", "--k", "8", "--repeats", "1"], "bench gemm", null, false, false),
        };
        foreach (var (args, verb, model, seed, backend) in runs)
        {
            var (code, stdout, stderr) = Run([.. args, "--json"]);
            Assert.True(code == 0, $"{string.Join(' ', args)}: {stderr}");
            Assert.Equal("", stderr);
            var json = Json(stdout);
            var keys = json.Select(p => p.Key).ToList();
            Assert.Equal(verb, (string?)json["verb"]);
            Assert.Equal(LibraryInfo.Version, (string?)json["version"]);
            Assert.True(json["seconds"] is JsonValue, $"{verb}: no seconds");
            if (model is not null) Assert.Equal(model, (string?)json["model"]);
            Assert.Equal(seed, json.ContainsKey("seed"));
            if (backend) Assert.False(string.IsNullOrEmpty((string?)json["backend"]), $"{verb}: no backend");
            // The common fields come first, in one order.
            string[] order = ["verb", "version", "model", "seed", "backend", "seconds"];
            var common = keys.Where(order.Contains).ToList();
            Assert.Equal(common, keys.Take(common.Count));
            Assert.Equal(order.Where(common.Contains), common);
        }
    }

    [Fact]
    public void VaeEvalNamesTheNegativeElbo()
    {
        using var files = new ReliabilityFiles();
        var vae = files.Save("vae.fem", ReliabilityFiles.SmallVae());
        var data = files.Csv("data.csv", ReliabilityFiles.Binary(30, ReliabilityFiles.Width, 2));
        var (code, stdout, stderr) = Run("eval", "--model", vae, "--data", data, "--samples", "4", "--json");
        Assert.True(code == 0, stderr);
        var json = Json(stdout);
        Assert.False(json.ContainsKey("elbo"));
        // -ELBO = F_q is an upper bound of -log p(x) and the IWAE bound is tighter: the key holds the larger number.
        Assert.True((double)json["negativeElbo"]!["mean"]! >= (double)json["iwae"]!["mean"]! - 1e-6);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("score")]
    [InlineData("eval")]
    [InlineData("anomaly-eval")]
    [InlineData("device")]
    public void HelpSpeaksOfFreeenergyWithOneDefaultAndLowerCaseChoices(string verb)
    {
        var (code, stdout, _) = Run(verb, "--help");
        Assert.Equal(0, code);
        Assert.Contains($"freeenergy {verb} [options]", stdout);
        Assert.DoesNotContain("FreeEnergy.Cli", stdout);
        if (verb == "eval")
        {
            string samples = stdout.Split('\n').Single(l => l.TrimStart().StartsWith("--samples", StringComparison.Ordinal));
            Assert.Contains("default 100", samples);
            Assert.DoesNotContain("[default:", samples);
        }
        if (verb == "device") Assert.Contains("<auto|cpu|cuda>", stdout);
        if (verb == "anomaly-eval") Assert.Contains("--binarize <true|false>", stdout);
    }

    [Fact]
    public void InfoShowsAModelAsATable()
    {
        using var files = new ReliabilityFiles();
        var rbm = files.Save("rbm.fem", ReliabilityFiles.SmallRbm());
        var (code, stdout, stderr) = Run("info", "--model", rbm);
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("\"", stdout);
        Assert.DoesNotContain("{", stdout);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("kind", StringComparison.Ordinal) && l.TrimEnd().EndsWith("bernoulli-rbm", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Trim().StartsWith("weights", StringComparison.Ordinal) && l.TrimEnd().EndsWith("[16, 6]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  hidden", StringComparison.Ordinal));
    }

    [Fact]
    public void SampleDrawsFromAVaePriorAsMeansOrBinaryDraws()
    {
        using var files = new ReliabilityFiles();
        var model = ReliabilityFiles.SmallVae();
        var vae = files.Save("vae.fem", model);
        var (code, _, stderr) = Run("sample", "--model", vae, "--count", "9", "--seed", "4", "--out", files.Path("means.csv"));
        Assert.True(code == 0, stderr);
        var means = DataReader.Read(files.Path("means.csv")).Features;
        Assert.Equal(9, means.Rows);
        // The decoder's means at z ~ N(0, I), computed independently through the library.
        var expected = model.Sample(9, 1f, 4);
        for (int i = 0; i < expected.Data.Length; i++) Assert.Equal(expected.Data[i], means.Data[i], 5);
        Assert.Contains(means.Data, v => v > 0 && v < 1);

        (code, _, stderr) = Run("sample", "--model", vae, "--count", "9", "--binary", "--out", files.Path("draws.csv"));
        Assert.True(code == 0, stderr);
        Assert.All(DataReader.Read(files.Path("draws.csv")).Features.Data, v => Assert.True(v is 0f or 1f));

        (code, _, stderr) = Run("sample", "--model", vae, "--count", "4", "--image-width", "4", "--out", files.Path("grid.png"));
        Assert.True(code == 0, stderr);
        Assert.Equal(0x89, File.ReadAllBytes(files.Path("grid.png"))[0]);
    }

    [Fact]
    public void SampleDrawsFromATwoLevelVaeThroughTheMeanOrADrawOfZ1()
    {
        using var files = new ReliabilityFiles();
        var model = Models.HierarchicalVae.Create(ReliabilityFiles.Width, new Training.VaeTrainingOptions { LatentDimension = 3, UpperLatentDimension = 2, EncoderLayers = [6], Seed = 2 });
        var vae2 = files.Save("vae2.fem", model);
        foreach (var (extra, drawLower) in new[] { (Array.Empty<string>(), false), (["--draw-z1"], true) })
        {
            var (code, stdout, stderr) = Run(["sample", "--model", vae2, "--count", "5", "--seed", "3", "--temperature", "0.8", .. extra, "--out", files.Path("m.csv"), "--json"]);
            Assert.True(code == 0, stderr);
            Assert.Equal("hierarchical-vae", (string?)Json(stdout)["model"]);
            var means = DataReader.Read(files.Path("m.csv")).Features;
            var expected = model.Sample(5, 0.8f, 3, drawLower);
            for (int i = 0; i < expected.Data.Length; i++) Assert.Equal(expected.Data[i], means.Data[i], 5);
        }
        var (binaryCode, _, binaryErr) = Run("sample", "--model", vae2, "--count", "4", "--binary", "--out", files.Path("d.csv"));
        Assert.True(binaryCode == 0, binaryErr);
        Assert.All(DataReader.Read(files.Path("d.csv")).Features.Data, v => Assert.True(v is 0f or 1f));
        var vae = files.Save("vae.fem", ReliabilityFiles.SmallVae());
        var (refused, _, message) = Run("sample", "--model", vae, "--count", "4", "--draw-z1", "--out", files.Path("x.csv"));
        Assert.Equal(2, refused);
        Assert.Contains("--draw-z1 applies to two-level VAEs", message);
    }

    [Fact]
    public void ScoreBinarizeThresholdsTheDataFirst()
    {
        using var files = new ReliabilityFiles();
        var rbm = files.Save("rbm.fem", ReliabilityFiles.SmallRbm());
        var random = new Random(3);
        var grey = new Tensors.Matrix(20, ReliabilityFiles.Width);
        for (int i = 0; i < grey.Data.Length; i++) grey.Data[i] = (float)random.NextDouble();
        var binary = new Tensors.Matrix(20, ReliabilityFiles.Width);
        for (int i = 0; i < grey.Data.Length; i++) binary.Data[i] = grey.Data[i] > 0.5f ? 1f : 0f;
        Assert.Equal(0, Run("score", "--model", rbm, "--data", files.Csv("grey.csv", grey), "--binarize", "--out", files.Path("a.csv")).Code);
        Assert.Equal(0, Run("score", "--model", rbm, "--data", files.Csv("binary.csv", binary), "--out", files.Path("b.csv")).Code);
        Assert.Equal(File.ReadAllText(files.Path("b.csv")), File.ReadAllText(files.Path("a.csv")));
        Assert.Equal(0, Run("score", "--model", rbm, "--data", files.Path("grey.csv"), "--out", files.Path("c.csv")).Code);
        Assert.NotEqual(File.ReadAllText(files.Path("b.csv")), File.ReadAllText(files.Path("c.csv")));
    }

    [Fact]
    public void WorkProgressShowsOnATerminalOnlyAndNeverWithJson()
    {
        var root = CommandLineApp.CreateRoot();
        var terminal = new StringWriter();
        var parse = root.Parse(["eval", "--model", "m", "--data", "d"]);
        parse.InvocationConfiguration.Error = terminal;
        using (var progress = WorkProgress.Start(parse, "log Z by ais (16x6)", interactive: true))
            for (int i = 1; i <= 4; i++) progress.Report(i / 4.0);
        Assert.Contains("log Z by ais", terminal.ToString());

        var redirected = new StringWriter();
        parse.InvocationConfiguration.Error = redirected;
        using (var progress = WorkProgress.Start(parse, "log Z by ais")) progress.Report(1);
        Assert.Equal("", redirected.ToString());

        var json = root.Parse(["eval", "--model", "m", "--data", "d", "--json"]);
        var quiet = new StringWriter();
        json.InvocationConfiguration.Error = quiet;
        using (var progress = WorkProgress.Start(json, "log Z by ais", interactive: true)) progress.Report(1);
        Assert.Equal("", quiet.ToString());
    }

    [Fact]
    public void AisReportsItsProgressWithoutChangingTheEstimate()
    {
        var model = Rbm.RbmTestData.RandomBernoulli(12, 6, 0.5f, 8);
        var data = Rbm.RbmTestData.RandomBinary(40, 12, 9);
        var fractions = new List<double>();
        AisOptions Options(IProgress<double>? progress) => new()
        {
            Runs = 16, Betas = AisOptions.DefaultSchedule(50, 100, 150), Seed = 2, Backend = new CpuBackend(1), Progress = progress,
        };
        var quiet = AnnealedImportanceSampling.Estimate(model, data.View, Options(null));
        var watched = AnnealedImportanceSampling.Estimate(model, data.View, Options(new ProgressRelay<double>(fractions.Add)));
        Assert.Equal(quiet.LogPartition, watched.LogPartition);
        Assert.InRange(fractions.Count, 50, 301);
        Assert.Equal(1.0, fractions[^1]);
        Assert.True(fractions.Zip(fractions.Skip(1)).All(p => p.First < p.Second));

        // The device-resident path (here on the host seam) reports the same fractions.
        var deviceFractions = new List<double>();
        var onDevice = Options(new ProgressRelay<double>(deviceFractions.Add));
        onDevice.DeviceArrays = new global::FreeEnergy.Compute.Device.HostDeviceArrays(new CpuBackend(1));
        var deviceQuiet = Options(null);
        deviceQuiet.DeviceArrays = new global::FreeEnergy.Compute.Device.HostDeviceArrays(new CpuBackend(1));
        Assert.Equal(AnnealedImportanceSampling.Estimate(model, data.View, deviceQuiet).LogPartition,
            AnnealedImportanceSampling.Estimate(model, data.View, onDevice).LogPartition);
        Assert.Equal(fractions, deviceFractions);
    }

    [Fact]
    public void AOneDimensionalIdxFileIsRefusedAsFeatures()
    {
        using var files = new ReliabilityFiles();
        var path = files.Bytes("t10k-labels-idx1-ubyte", Data.IdxFiles.UnsignedBytes([5], [1, 2, 3, 4, 5]));
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(path));
        Assert.Contains("holds labels, not features", ex.Message);
        Assert.Equal(path, ex.File);
        // As labels it still reads.
        Assert.Equal([1, 2, 3, 4, 5], IdxLabels(path));
    }

    private static int[] IdxLabels(string path)
    {
        var images = Path.Combine(Path.GetDirectoryName(path)!, "images.idx");
        File.WriteAllBytes(images, Data.IdxFiles.UnsignedBytes([5, 2], new byte[10]));
        return DataReader.Read(images, new DataReadOptions { LabelsPath = path }).Labels!;
    }

    [Fact]
    public void OutputPathAndAtomicFileNameTheUsersPath()
    {
        using var files = new ReliabilityFiles();
        Assert.Equal(files.Path("ok.csv"), OutputPath.CheckFile(files.Path("ok.csv")));
        Assert.Contains("is a folder", Assert.Throws<CliException>(() => OutputPath.CheckFile(files.Folder)).Message);
        var failure = Assert.Throws<CliException>(() => AtomicFile.WriteText("/proc/x.csv", w => w.Write("1")));
        Assert.StartsWith("cannot write /proc/x.csv: ", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", failure.Message);
        Assert.Equal("read-only file system", OutputPath.Reason(new IOException("Read-only file system : '/a/.x.1.tmp'"), "/a/.x.1.tmp", "/a/x"));
        Assert.Equal("permission denied", OutputPath.Reason(new UnauthorizedAccessException("Access to the path '/a/.x.tmp' is denied."), "/a/.x.tmp", "/a/x"));
        Assert.Empty(files.Extra());
        // A plots folder is created when missing, and a file in its place is refused.
        Assert.Equal(files.Path("plots/a"), OutputPath.CheckFolder(files.Path("plots/a"), "--plots"));
        Assert.True(Directory.Exists(files.Path("plots/a")));
        Assert.Empty(Directory.GetFileSystemEntries(files.Path("plots/a")));
    }
}

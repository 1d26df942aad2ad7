using System.Diagnostics;
using System.Text;
using FreeEnergy.Cli;
using FreeEnergy.Models;
using FreeEnergy.Persistence;

namespace FreeEnergy.Tests.Reliability;

using Vae = global::FreeEnergy.Models.Vae;

/// <summary>
/// Mutated and truncated model files, through the load path (ModelFile.Load then the model class's FromDocument) and
/// through the CLI, fail only with <see cref="ModelFileException"/> (CLI: exit 2, one line); a newer format version
/// says so.
/// </summary>
public sealed class ModelFileFuzzTests
{
    private static byte[] Bytes(IFreeEnergyModel model)
    {
        var stream = new MemoryStream();
        ModelFile.Save(stream, model.ToDocument());
        return stream.ToArray();
    }

    private static IFreeEnergyModel Load(byte[] bytes)
    {
        var document = ModelFile.Load(new MemoryStream(bytes, writable: false));
        return document.Kind == ModelKinds.Vae ? Vae.FromDocument(document) : RbmBase.FromDocument(document);
    }

    private static byte[] Mutate(byte[] original, Random rng)
    {
        var b = (byte[])original.Clone();
        int headerEnd = (int)Math.Min(b.Length, 8 + BitConverter.ToInt64(b, 0));
        switch (rng.Next(7))
        {
            case 0: // truncation
                return b.AsSpan(0, rng.Next(b.Length)).ToArray();
            case 1: // a few random bit flips anywhere
                for (int i = rng.Next(1, 4); i > 0; i--) b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                return b;
            case 2: // random bytes in the header
                for (int i = rng.Next(1, 4); i > 0; i--) b[rng.Next(headerEnd)] = (byte)rng.Next(256);
                return b;
            case 3: // header length field
                BitConverter.TryWriteBytes(b.AsSpan(0, 8), rng.Next(3) switch { 0 => (long)rng.Next(b.Length * 2), 1 => -rng.Next(1, 100), _ => long.MaxValue - rng.Next(100) });
                return b;
            case 4: // a printable character of the JSON header replaced by another JSON-significant one
                {
                    int at = rng.Next(8, headerEnd);
                    b[at] = (byte)"{}[]\",:0123456789-.eE \\"[rng.Next(23)];
                    return b;
                }
            case 5: // bytes appended or removed at the end
                return rng.Next(2) == 0 ? [.. b, .. Enumerable.Range(0, rng.Next(1, 64)).Select(_ => (byte)rng.Next(256))] : b.AsSpan(0, Math.Max(0, b.Length - rng.Next(1, 5))).ToArray();
            default: // a digit in the header replaced by another digit (shapes, offsets, hyperparameters)
                {
                    var digits = Enumerable.Range(8, headerEnd - 8).Where(i => b[i] is >= (byte)'0' and <= (byte)'9').ToArray();
                    b[digits[rng.Next(digits.Length)]] = (byte)('0' + rng.Next(10));
                    return b;
                }
        }
    }

    [Fact]
    public void MutatedAndTruncatedFilesOnlyThrowModelFileException()
    {
        var originals = new[]
        {
            Bytes(ReliabilityFiles.SmallRbm()),
            Bytes(ReliabilityFiles.SmallGaussianRbm()),
            Bytes(ReliabilityFiles.SmallVae()),
            Bytes(Vae.Create(ReliabilityFiles.Width, new Training.VaeTrainingOptions { LatentDimension = 2, EncoderLayers = [6, 4], Likelihood = VaeLikelihood.Gaussian, Seed = 3 })),
        };
        foreach (var o in originals) Assert.NotNull(Load(o)); // the originals load
        var rng = new Random(2024);
        var clock = Stopwatch.StartNew();
        int cases = 0, rejected = 0;
        var failures = new List<string>();
        while (clock.Elapsed.TotalSeconds < 2.0 || cases < 2000)
        {
            var mutated = Mutate(originals[cases % originals.Length], rng);
            cases++;
            try
            {
                var model = Load(mutated);
                // A mutation the checks cannot see (JSON whitespace, say) must still give a usable model.
                Assert.Equal(ReliabilityFiles.Width, model.InputDimension);
            }
            catch (ModelFileException) { rejected++; }
            catch (Exception ex)
            {
                if (failures.Count < 5) failures.Add($"case {cases}: {ex.GetType().Name}: {ex.Message}");
            }
            if (clock.Elapsed.TotalSeconds > 3.0) break;
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(cases >= 1000, $"only {cases} cases ran");
        Assert.True(rejected > cases / 2, $"{rejected} of {cases} rejected");
    }

    [Fact]
    public void CliReportsCorruptFilesAsBadInput()
    {
        using var files = new ReliabilityFiles();
        var original = Bytes(ReliabilityFiles.SmallRbm());
        var vae = Bytes(ReliabilityFiles.SmallVae());
        var data = files.Csv("d.csv", ReliabilityFiles.Binary(10, ReliabilityFiles.Width, 1));
        var rng = new Random(77);
        for (int i = 0; i < 12; i++)
        {
            byte[] mutated;
            do mutated = Mutate(i % 2 == 0 ? original : vae, rng);
            while (Accepts(mutated));
            var path = files.Path("m.fem");
            File.WriteAllBytes(path, mutated);
            string[] args = i % 3 == 0 ? ["info", "--model", path] : ["score", "--model", path, "--data", data, "--out", files.Path("s.csv")];
            var stderr = new StringWriter();
            int code = CommandLineApp.Run(args, new StringWriter(), stderr);
            Assert.True(code == 2, $"{string.Join(' ', args)}: exit {code}: {stderr}");
            Assert.DoesNotContain("internal failure", stderr.ToString());
            Assert.False(File.Exists(files.Path("s.csv")));
        }
    }

    private static bool Accepts(byte[] bytes)
    {
        try { Load(bytes); return true; }
        catch (ModelFileException) { return false; }
    }

    [Fact]
    public void NewerFormatVersionSaysUpgrade()
    {
        using var files = new ReliabilityFiles();
        var bytes = Bytes(ReliabilityFiles.SmallRbm());
        var text = Encoding.Latin1.GetString(bytes);
        const string current = "\"format_version\":\"1\"";
        Assert.Contains(current, text);
        var newer = Encoding.Latin1.GetBytes(text.Replace(current, "\"format_version\":\"2\""));
        var ex = Assert.Throws<ModelFileException>(() => Load(newer));
        Assert.Contains("newer", ex.Message);
        Assert.Contains("upgrade", ex.Message);

        var path = files.Path("future.fem");
        File.WriteAllBytes(path, newer);
        var stderr = new StringWriter();
        Assert.Equal(2, CommandLineApp.Run(["info", "--model", path], new StringWriter(), stderr));
        Assert.Contains("format version 2", stderr.ToString());
    }
}

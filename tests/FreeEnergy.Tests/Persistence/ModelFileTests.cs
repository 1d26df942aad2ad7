using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using FreeEnergy.Persistence;
using FreeEnergy.Tests.Data;

namespace FreeEnergy.Tests.Persistence;

public class ModelFileTests
{
    internal static ModelDocument Sample()
    {
        var weights = new float[4 * 3];
        for (int i = 0; i < weights.Length; i++) weights[i] = (i - 5) * 0.125f;
        weights[0] = float.Epsilon;   // subnormal
        weights[1] = -0f;
        weights[2] = float.MaxValue;
        return new ModelDocument(
            "bernoulli-rbm",
            new Dictionary<string, string> { ["visible"] = "4", ["hidden"] = "3", ["log_partition"] = "12.375", ["note"] = "ünïcode \"quoted\"" },
            [
                new NamedTensor("weights", [4, 3], weights),
                new NamedTensor("visible_bias", [4], [0.1f, -0.2f, 0.3f, float.MinValue]),
                new NamedTensor("hidden_bias", [3], [1e-30f, 2f, -3f]),
            ]);
    }

    private static byte[] SaveToBytes(ModelDocument document)
    {
        using var stream = new MemoryStream();
        ModelFile.Save(stream, document);
        return stream.ToArray();
    }

    private static ModelDocument LoadBytes(byte[] bytes) => ModelFile.Load(new MemoryStream(bytes, writable: false));

    [Fact]
    public void RoundTripIsBitExact()
    {
        using var dir = new TempDirectory();
        var path = dir.File("model.fem");
        var original = Sample();
        ModelFile.Save(path, original);
        var loaded = ModelFile.Load(path);

        Assert.Equal("bernoulli-rbm", loaded.Kind);
        Assert.Equal(LibraryInfo.Version, loaded.LibraryVersion);
        Assert.Equal(original.Hyperparameters.OrderBy(p => p.Key), loaded.Hyperparameters.OrderBy(p => p.Key));
        Assert.Equal(original.Tensors.Select(t => t.Name), loaded.Tensors.Select(t => t.Name));
        for (int i = 0; i < original.Tensors.Count; i++)
        {
            Assert.Equal(original.Tensors[i].Shape, loaded.Tensors[i].Shape);
            Assert.Equal(
                original.Tensors[i].Data.Select(BitConverter.SingleToInt32Bits),
                loaded.Tensors[i].Data.Select(BitConverter.SingleToInt32Bits));
        }
        Assert.Equal(original.Tensor("weights", 4, 3), loaded.Tensor("weights", 4, 3));
        Assert.Single(Directory.GetFiles(dir.Path)); // no temp file left behind
    }

    [Fact]
    public void LayoutIsSafetensors()
    {
        // An independent minimal parser: u64 LE header length, JSON header, then contiguous LE float32 data.
        var bytes = SaveToBytes(Sample());
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);
        Assert.Equal((byte)'{', bytes[8]);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
        var root = header.RootElement;
        var meta = root.GetProperty("__metadata__");
        Assert.Equal("freeenergy", meta.GetProperty("format").GetString());
        Assert.Equal("1", meta.GetProperty("format_version").GetString());
        Assert.Equal("bernoulli-rbm", meta.GetProperty("kind").GetString());
        Assert.Equal("3", meta.GetProperty("hp.hidden").GetString());
        Assert.Matches("^[0-9a-f]{64}$", meta.GetProperty("content_hash").GetString());
        foreach (var p in meta.EnumerateObject()) Assert.Equal(JsonValueKind.String, p.Value.ValueKind);

        var weights = root.GetProperty("weights");
        Assert.Equal("F32", weights.GetProperty("dtype").GetString());
        Assert.Equal(new[] { 4, 3 }, weights.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var offsets = root.GetProperty("visible_bias").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(new[] { 48, 64 }, offsets);
        int dataStart = 8 + (int)n;
        Assert.Equal(dataStart + 64 + 12, bytes.Length);
        Assert.Equal(-0.2f, BitConverter.ToSingle(bytes, dataStart + 48 + 4)); // little-endian float32 (test host is little-endian)
    }

    [Fact]
    public void ContentHashFollowsTheDocumentedRecipe()
    {
        var bytes = SaveToBytes(Sample());
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
        var meta = header.RootElement.GetProperty("__metadata__");
        var canonical = new MemoryStream();
        void Field(string s)
        {
            var b = Encoding.UTF8.GetBytes(s);
            canonical.Write(Encoding.ASCII.GetBytes($"{b.Length}:"));
            canonical.Write(b);
            canonical.WriteByte((byte)'\n');
        }
        Field("freeenergy-content-v1");
        var entries = meta.EnumerateObject().Where(p => p.Name != "content_hash").OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        Field(entries.Count.ToString());
        foreach (var e in entries) { Field(e.Name); Field(e.Value.GetString()!); }
        Field("3");
        Field("weights"); Field("F32"); Field("4,3");
        Field("visible_bias"); Field("F32"); Field("4");
        Field("hidden_bias"); Field("F32"); Field("3");
        canonical.Write(bytes.AsSpan(8 + (int)n));
        var expected = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(canonical.ToArray())).ToLowerInvariant();
        Assert.Equal(expected, meta.GetProperty("content_hash").GetString());
    }

    [Fact]
    public void AnyFlippedDataByteIsAHashError()
    {
        var bytes = SaveToBytes(Sample());
        int dataStart = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        for (int i = dataStart; i < bytes.Length; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[i] ^= (byte)(1 << (i % 8));
            var ex = Assert.Throws<ModelFileException>(() => LoadBytes(copy));
            Assert.Contains("content hash does not match", ex.Message);
        }
    }

    [Fact]
    public void AnyFlippedHeaderByteIsAModelFileException()
    {
        var bytes = SaveToBytes(Sample());
        int dataStart = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        for (int i = 0; i < dataStart; i++)
        {
            foreach (int bit in new[] { 0, 5, 7 })
            {
                var copy = (byte[])bytes.Clone();
                copy[i] ^= (byte)(1 << bit);
                var ex = Assert.Throws<ModelFileException>(() => LoadBytes(copy));
                Assert.False(string.IsNullOrWhiteSpace(ex.Message));
                Assert.IsNotType<ArgumentException>(ex.InnerException); // the library's own message, not a wrapped bug
            }
        }
    }

    [Fact]
    public void TruncationAtAnyPointIsAModelFileException()
    {
        using var dir = new TempDirectory();
        var bytes = SaveToBytes(Sample());
        for (int length = 0; length < bytes.Length; length++)
        {
            var path = dir.File("cut.fem");
            File.WriteAllBytes(path, bytes[..length]);
            var ex = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
            Assert.Equal(path, ex.Path);
            Assert.StartsWith(path, ex.Message);
        }
        var extended = dir.File("long.fem");
        File.WriteAllBytes(extended, [.. bytes, 0, 0, 0, 0]);
        Assert.Contains("unexpected bytes after the last tensor", Assert.Throws<ModelFileException>(() => ModelFile.Load(extended)).Message);
    }

    [Fact]
    public void WrongShapeThroughTheAccessorIsClear()
    {
        var loaded = LoadBytes(SaveToBytes(Sample()));
        var ex = Assert.Throws<ModelFileException>(() => loaded.Tensor("weights", 3, 4));
        Assert.Contains("tensor 'weights' has shape [4,3], expected [3,4]", ex.Message);
        Assert.Contains("missing", Assert.Throws<ModelFileException>(() => loaded.Tensor("visible_sigma", 4)).Message);
    }

    /// <summary>Builds a file with a hand-written header (and correct lengths) to test what the writer never produces.</summary>
    private static byte[] Handmade(string headerJson, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    [Fact]
    public void NewerFormatVersionAsksToUpgrade()
    {
        var bytes = Handmade(
            """{"__metadata__":{"format":"freeenergy","format_version":"2","kind":"vae","library_version":"9.0.0","content_hash":"x"},"w":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}""",
            new byte[4]);
        var ex = Assert.Throws<ModelFileException>(() => LoadBytes(bytes));
        Assert.Contains("this file was written by format version 2, newer than this library supports (1); upgrade FreeEnergyML", ex.Message);
    }

    [Theory]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "no __metadata__")]
    [InlineData("""{"__metadata__":{"format":"other"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "does not say format 'freeenergy'")]
    [InlineData("""{"__metadata__":{"format":"freeenergy","format_version":"1","kind":"k","library_version":"1","content_hash":"x"},"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}""", "dtype 'F16'")]
    [InlineData("""{"__metadata__":{"format":"freeenergy","format_version":"1","kind":"k","library_version":"1","content_hash":"x"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", "shape [2] (2 float32 values, 8 bytes) but its data_offsets span 4 bytes")]
    [InlineData("""{"__metadata__":{"format":"freeenergy","format_version":"1","kind":"k","library_version":"1","content_hash":"x"},"w":{"dtype":"F32","shape":[],"data_offsets":[4,8]}}""", "starts at data offset 4, expected 0")]
    [InlineData("""{"__metadata__":{"format":"freeenergy","format_version":"1","kind":"k","library_version":"1","content_hash":"x"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "content hash does not match")]
    [InlineData("""{"__metadata__":{"format":"freeenergy","format_version":"1","library_version":"1","content_hash":"x"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "no 'kind' entry")]
    [InlineData("""[1,2]""", "not a JSON object")]
    [InlineData("""{"__metadata__":{"format":"freeenergy""", "not valid JSON")]
    public void MalformedHeadersGiveClearMessages(string header, string expected)
    {
        var ex = Assert.Throws<ModelFileException>(() => LoadBytes(Handmade(header, new byte[4])));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void ACorruptHeaderLengthDoesNotAllocate()
    {
        var bytes = SaveToBytes(Sample());
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue - 3);
        Assert.Contains("more than the 100000000 allowed", Assert.Throws<ModelFileException>(() => LoadBytes(bytes)).Message);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 50_000_000);
        Assert.Contains("truncated", Assert.Throws<ModelFileException>(() => LoadBytes(bytes)).Message);
    }

    [Fact]
    public void RandomMutationsOnlyEverRaiseModelFileException()
    {
        var bytes = SaveToBytes(Sample());
        var random = new Random(2024);
        int loaded = 0;
        for (int trial = 0; trial < 400; trial++)
        {
            var copy = (byte[])bytes.Clone();
            switch (trial % 4)
            {
                case 0: // a few random bytes overwritten
                    for (int k = 1 + random.Next(4); k > 0; k--) copy[random.Next(copy.Length)] = (byte)random.Next(256);
                    break;
                case 1: // truncation
                    copy = copy[..random.Next(copy.Length)];
                    break;
                case 2: // a byte inserted or removed
                    int at = random.Next(copy.Length);
                    copy = random.Next(2) == 0 ? [.. copy[..at], (byte)random.Next(256), .. copy[at..]] : [.. copy[..at], .. copy[(at + 1)..]];
                    break;
                default: // a digit in the header changed
                    int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
                    int pos = 8 + random.Next(headerEnd - 8);
                    while (pos < headerEnd && !char.IsAsciiDigit((char)copy[pos])) pos++;
                    if (pos < headerEnd) copy[pos] = (byte)('0' + random.Next(10));
                    break;
            }
            try
            {
                LoadBytes(copy);
                loaded++;
            }
            catch (ModelFileException)
            {
            }
        }
        Assert.True(loaded < 40, $"{loaded} of 400 mutated files loaded");
    }

    [Fact]
    public void FailedSaveLeavesTheOldFileAndNoTempFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("model.fem");
        ModelFile.Save(path, Sample());
        var before = File.ReadAllBytes(path);

        var diverged = new ModelDocument("bernoulli-rbm", new Dictionary<string, string>(), [new NamedTensor("weights", [2], [1f, float.NaN])]);
        var ex = Assert.Throws<ModelFileException>(() => ModelFile.Save(path, diverged));
        Assert.Contains("non-finite", ex.Message);
        var mismatched = new ModelDocument("bernoulli-rbm", new Dictionary<string, string>(), [new NamedTensor("weights", [2, 2], [1f])]);
        Assert.Contains("holds 1 values", Assert.Throws<ModelFileException>(() => ModelFile.Save(path, mismatched)).Message);

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
        Assert.Throws<ModelFileException>(() => ModelFile.Save(dir.File("missing-dir/model.fem"), Sample()));
    }

    [Fact]
    public void SaveOverwritesAtomicallyAndLoadsFromNonSeekableStreams()
    {
        using var dir = new TempDirectory();
        var path = dir.File("model.fem");
        ModelFile.Save(path, Sample());
        var second = new ModelDocument("gaussian-rbm", new Dictionary<string, string> { ["visible"] = "1" }, [new NamedTensor("visible_sigma", [1], [2f])]);
        ModelFile.Save(path, second);
        Assert.Equal("gaussian-rbm", ModelFile.Load(path).Kind);

        using var pipe = new NonSeekableStream(File.ReadAllBytes(path));
        Assert.Equal(2f, ModelFile.Load(pipe).Tensor("visible_sigma", 1)[0]);
        Assert.Contains("does not exist", Assert.Throws<ModelFileException>(() => ModelFile.Load(dir.File("nope.fem"))).Message);
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}

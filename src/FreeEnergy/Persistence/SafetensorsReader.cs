using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace FreeEnergy.Persistence;

/// <summary>
/// Reads and verifies a model file in the safetensors layout. Every problem -- truncation, a corrupt length,
/// bad JSON, a wrong dtype, inconsistent shapes or offsets, a hash mismatch, a newer format -- becomes a
/// <see cref="ModelFileException"/> with a message that says what is wrong.
/// </summary>
internal static class SafetensorsReader
{
    /// <summary>The largest header accepted (the reference implementation's limit), so a corrupt length cannot force a huge allocation.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private sealed record Entry(string Name, int[] Shape, long Begin, long End);

    /// <summary>Reads a model from a seekable stream positioned at the start of the file.</summary>
    public static (ModelDocument Document, IReadOnlyDictionary<string, string> Metadata) Read(Stream stream, string? path)
    {
        try
        {
            return ReadCore(stream, path);
        }
        catch (ModelFileException)
        {
            throw;
        }
        catch (EndOfStreamException ex)
        {
            throw new ModelFileException("the file is truncated.", path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException($"the file cannot be read: {ex.Message}", path, ex);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or OverflowException or ArgumentException or InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException)
        {
            throw new ModelFileException($"the file is malformed ({ex.Message})", path, ex);
        }
    }

    private static (ModelDocument, IReadOnlyDictionary<string, string>) ReadCore(Stream stream, string? path)
    {
        long available = stream.Length - stream.Position;
        if (available < 8)
            throw new ModelFileException($"the file is too short to be a model file ({available} bytes); it is truncated or not a safetensors file.", path);
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
            throw new ModelFileException($"the header length field says {headerLength} bytes, more than the {MaxHeaderBytes} allowed; the file is corrupt or not a safetensors model file.", path);
        if ((long)headerLength > available - 8)
            throw new ModelFileException($"the header length field says {headerLength} bytes but only {available - 8} bytes follow it; the file is truncated or not a safetensors model file.", path);
        if (headerLength < 2)
            throw new ModelFileException($"the header is {headerLength} bytes long, too short to hold the JSON header.", path);
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = available - 8 - (long)headerLength;

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw new ModelFileException($"the header is not valid JSON ({ex.Message}); the file is corrupt or not a safetensors model file.", path, ex);
        }
        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelFileException("the header is not a JSON object; the file is corrupt or not a safetensors model file.", path);
            var metadata = ReadMetadata(json.RootElement, path);
            CheckFormat(metadata, path);
            var entries = ReadEntries(json.RootElement, path);
            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            long expected = 0;
            foreach (var e in entries)
            {
                if (e.Begin != expected)
                    throw new ModelFileException(
                        $"tensor '{e.Name}' starts at data offset {e.Begin}, expected {expected}: tensors must follow each other without gaps or overlaps.", path);
                expected = e.End;
            }
            if (expected > dataLength)
                throw new ModelFileException($"the file is truncated: the header describes {expected} bytes of tensor data but only {dataLength} follow it.", path);
            if (expected < dataLength)
                throw new ModelFileException($"the file has {dataLength - expected} unexpected bytes after the last tensor; it is corrupt.", path);

            string kind = Required(metadata, ModelMetadataKeys.Kind, path);
            string libraryVersion = Required(metadata, ModelMetadataKeys.LibraryVersion, path);
            string storedHash = Required(metadata, ModelMetadataKeys.ContentHash, path);

            var shapes = new List<(string, int[])>(entries.Count);
            foreach (var e in entries) shapes.Add((e.Name, e.Shape));
            var tensors = new List<NamedTensor>(entries.Count);
            using (var hash = ModelContentHash.Begin(metadata, shapes))
            {
                foreach (var e in entries)
                {
                    var data = new float[(e.End - e.Begin) / 4];
                    var bytes = MemoryMarshal.AsBytes(data.AsSpan());
                    stream.ReadExactly(bytes);
                    hash.AppendData(bytes);
                    TensorBytes.FromLittleEndian(data);
                    tensors.Add(new NamedTensor(e.Name, e.Shape, data));
                }
                string actual = ModelContentHash.Finish(hash);
                if (!string.Equals(actual, storedHash, StringComparison.Ordinal))
                    throw new ModelFileException(
                        $"the content hash does not match (stored {Shorten(storedHash)}, computed {actual[..16]}...): the file is corrupted.", path);
            }

            var hyperparameters = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in metadata)
                if (key.StartsWith(ModelMetadataKeys.HyperparameterPrefix, StringComparison.Ordinal))
                    hyperparameters[key[ModelMetadataKeys.HyperparameterPrefix.Length..]] = value;
            var document = new ModelDocument(kind, hyperparameters, tensors) { LibraryVersion = libraryVersion };
            return (document, metadata);
        }
    }

    private static Dictionary<string, string> ReadMetadata(JsonElement root, string? path)
    {
        if (!root.TryGetProperty(ModelMetadataKeys.Section, out var section))
            throw new ModelFileException(
                $"the header has no {ModelMetadataKeys.Section}: this is not a FreeEnergyML model file (a plain safetensors file cannot be used as a model).", path);
        if (section.ValueKind != JsonValueKind.Object)
            throw new ModelFileException($"{ModelMetadataKeys.Section} is not a JSON object; the file is corrupt.", path);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in section.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
                throw new ModelFileException($"metadata entry '{property.Name}' is not a string; the file is corrupt.", path);
            if (!metadata.TryAdd(property.Name, property.Value.GetString()!))
                throw new ModelFileException($"metadata entry '{property.Name}' appears twice; the file is corrupt.", path);
        }
        return metadata;
    }

    private static void CheckFormat(Dictionary<string, string> metadata, string? path)
    {
        if (!metadata.TryGetValue(ModelMetadataKeys.Format, out var format) || format != ModelMetadataKeys.FormatValue)
            throw new ModelFileException(
                $"the metadata does not say format '{ModelMetadataKeys.FormatValue}'{(format is null ? "" : $" (it says '{Shorten(format)}')")}: this is not a FreeEnergyML model file, or it is corrupt.", path);
        string versionText = Required(metadata, ModelMetadataKeys.FormatVersion, path);
        if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version < 1)
            throw new ModelFileException($"the format version '{Shorten(versionText)}' is not valid; the file is corrupt.", path);
        if (version > ModelFile.FormatVersion)
            throw new ModelFileException(
                $"this file was written by format version {version}, newer than this library supports ({ModelFile.FormatVersion}); upgrade FreeEnergyML.", path);
    }

    private static List<Entry> ReadEntries(JsonElement root, string? path)
    {
        var entries = new List<Entry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            string name = property.Name;
            if (name == ModelMetadataKeys.Section)
            {
                if (!names.Add(name)) throw new ModelFileException($"the header has two {ModelMetadataKeys.Section} entries; the file is corrupt.", path);
                continue;
            }
            if (!names.Add(name)) throw new ModelFileException($"tensor '{name}' appears twice in the header; the file is corrupt.", path);
            var value = property.Value;
            if (value.ValueKind != JsonValueKind.Object)
                throw new ModelFileException($"the header entry for tensor '{name}' is not a JSON object; the file is corrupt.", path);
            if (!value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String)
                throw new ModelFileException($"tensor '{name}' has no dtype; the file is corrupt.", path);
            if (dtype.GetString() != "F32")
                throw new ModelFileException($"tensor '{name}' has dtype '{Shorten(dtype.GetString()!)}'; FreeEnergyML model files hold F32 tensors only.", path);
            if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
                throw new ModelFileException($"tensor '{name}' has no shape; the file is corrupt.", path);
            var shape = new int[shapeElement.GetArrayLength()];
            long count = 1;
            int d = 0;
            foreach (var dim in shapeElement.EnumerateArray())
            {
                if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt32(out int size) || size < 0)
                    throw new ModelFileException($"tensor '{name}' has an invalid dimension ({Shorten(dim.GetRawText())}) in its shape; the file is corrupt.", path);
                shape[d++] = size;
                count = count > int.MaxValue ? count : count * size;
            }
            if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
                throw new ModelFileException($"tensor '{name}' has no valid data_offsets (two numbers); the file is corrupt.", path);
            if (!offsets[0].TryGetInt64Safe(out long begin) || !offsets[1].TryGetInt64Safe(out long end) || begin < 0 || end < begin)
                throw new ModelFileException($"tensor '{name}' has invalid data_offsets {Shorten(offsets.GetRawText())}; the file is corrupt.", path);
            if (count > int.MaxValue || count * 4 != end - begin)
                throw new ModelFileException(
                    $"tensor '{name}' has shape [{ModelContentHash.ShapeText(shape)}] ({count} float32 values, {count * 4} bytes) but its data_offsets span {end - begin} bytes; the file is corrupt.", path);
            entries.Add(new Entry(name, shape, begin, end));
        }
        return entries;
    }

    private static bool TryGetInt64Safe(this JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value);
    }

    private static string Required(Dictionary<string, string> metadata, string key, string? path)
        => metadata.TryGetValue(key, out var value)
            ? value
            : throw new ModelFileException($"the metadata has no '{key}' entry; the file is corrupt or was not written by FreeEnergyML.", path);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}

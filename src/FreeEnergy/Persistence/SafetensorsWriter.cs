using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FreeEnergy.Persistence;

/// <summary>Writes a <see cref="ModelDocument"/> in the safetensors layout (see <see cref="ModelFile"/>).</summary>
internal static class SafetensorsWriter
{
    public static void Write(Stream stream, ModelDocument document, string? path)
    {
        Validate(document, path);
        var metadata = BuildMetadata(document);
        var tensors = new List<(string, int[])>(document.Tensors.Count);
        foreach (var t in document.Tensors) tensors.Add((t.Name, t.Shape));
        using (var hash = ModelContentHash.Begin(metadata, tensors))
        {
            foreach (var t in document.Tensors) hash.AppendData(TensorBytes.AsLittleEndian(t.Data));
            metadata.Add(new(ModelMetadataKeys.ContentHash, ModelContentHash.Finish(hash)));
        }

        byte[] header = BuildHeader(document, metadata);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var t in document.Tensors) stream.Write(TensorBytes.AsLittleEndian(t.Data));
    }

    private static List<KeyValuePair<string, string>> BuildMetadata(ModelDocument document)
    {
        var metadata = new List<KeyValuePair<string, string>>
        {
            new(ModelMetadataKeys.Format, ModelMetadataKeys.FormatValue),
            new(ModelMetadataKeys.FormatVersion, ModelFile.FormatVersion.ToString(CultureInfo.InvariantCulture)),
            new(ModelMetadataKeys.Kind, document.Kind),
            new(ModelMetadataKeys.LibraryVersion, LibraryInfo.Version),
        };
        var names = new List<string>(document.Hyperparameters.Keys);
        names.Sort(string.CompareOrdinal);
        foreach (var name in names) metadata.Add(new(ModelMetadataKeys.HyperparameterPrefix + name, document.Hyperparameters[name]));
        return metadata;
    }

    private static byte[] BuildHeader(ModelDocument document, List<KeyValuePair<string, string>> metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Non-ASCII text is written as UTF-8, not \uXXXX escapes: an escape's hex digits could change case
        // (one flipped bit) without changing the value, so a corrupted header could go unnoticed.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartObject(ModelMetadataKeys.Section);
            foreach (var (key, value) in metadata) json.WriteString(key, value);
            json.WriteEndObject();
            long offset = 0;
            foreach (var t in document.Tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += 4L * t.Data.Length;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // Pad with spaces to a multiple of 8 so the data section is aligned (as the reference implementation does).
        int padded = (buffer.WrittenCount + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void Validate(ModelDocument document, string? path)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (string.IsNullOrEmpty(document.Kind)) throw new ModelFileException("cannot save a model without a kind.", path);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in document.Tensors)
        {
            if (t is null) throw new ModelFileException("cannot save a null tensor.", path);
            if (string.IsNullOrEmpty(t.Name) || t.Name == ModelMetadataKeys.Section)
                throw new ModelFileException($"cannot save a tensor named '{t.Name}' (names must be non-empty and not {ModelMetadataKeys.Section}).", path);
            if (!seen.Add(t.Name)) throw new ModelFileException($"cannot save two tensors named '{t.Name}'.", path);
            if (t.Shape is null || t.Data is null) throw new ModelFileException($"tensor '{t.Name}' has no shape or data.", path);
            long count = 1;
            foreach (int d in t.Shape)
            {
                if (d < 0) throw new ModelFileException($"tensor '{t.Name}' has a negative dimension in shape [{ModelContentHash.ShapeText(t.Shape)}].", path);
                count = count > int.MaxValue ? count : count * d;
            }
            if (count != t.Data.Length)
                throw new ModelFileException($"tensor '{t.Name}' has shape [{ModelContentHash.ShapeText(t.Shape)}] ({count} values) but holds {t.Data.Length} values.", path);
            for (int i = 0; i < t.Data.Length; i++)
                if (!float.IsFinite(t.Data[i]))
                    throw new ModelFileException($"tensor '{t.Name}' holds a non-finite value ({t.Data[i]}) at index {i}; refusing to save a diverged model.", path);
        }
        foreach (var (key, value) in document.Hyperparameters)
        {
            if (string.IsNullOrEmpty(key)) throw new ModelFileException("cannot save a hyperparameter with an empty name.", path);
            if (value is null) throw new ModelFileException($"hyperparameter '{key}' has no value.", path);
        }
    }
}

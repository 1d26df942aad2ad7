using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FreeEnergy.Persistence;

/// <summary>
/// The <c>content_hash</c> of a model file: lowercase hex SHA-256 of a canonical description followed by the
/// data section.
/// </summary>
/// <remarks>
/// Exactly, the hashed bytes are:
/// <list type="number">
/// <item>a sequence of fields, each written as the decimal ASCII byte length of its UTF-8 text, ':', the
/// UTF-8 text and '\n' (so "kind" becomes <c>4:kind\n</c>). The fields are: <c>freeenergy-content-v1</c>;
/// the number of metadata entries other than <c>content_hash</c>; for each such entry in ordinal key order,
/// its key then its value (this covers format, format_version, kind, library_version and every
/// <c>hp.*</c> hyperparameter); the number of tensors; for each tensor in data order, its name, its dtype
/// (<c>F32</c>) and its shape as comma-separated decimals (empty for a scalar);</item>
/// <item>then the whole data section as stored: each tensor's little-endian float32 values, in data order.</item>
/// </list>
/// Any changed byte in the data, a tensor name, a shape or a metadata value therefore changes the hash.
/// </remarks>
internal static class ModelContentHash
{
    public const string Tag = "freeenergy-content-v1";

    /// <summary>Starts a hash over the canonical description; append the data section, then finish with <see cref="Finish"/>.</summary>
    public static IncrementalHash Begin(IEnumerable<KeyValuePair<string, string>> metadata, IReadOnlyList<(string Name, int[] Shape)> tensors)
    {
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Field(hash, Tag);
        var entries = new List<KeyValuePair<string, string>>();
        foreach (var entry in metadata)
            if (entry.Key != ModelMetadataKeys.ContentHash) entries.Add(entry);
        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        Field(hash, entries.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var entry in entries)
        {
            Field(hash, entry.Key);
            Field(hash, entry.Value);
        }
        Field(hash, tensors.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var (name, shape) in tensors)
        {
            Field(hash, name);
            Field(hash, "F32");
            Field(hash, ShapeText(shape));
        }
        return hash;
    }

    /// <summary>The lowercase hex digest.</summary>
    public static string Finish(IncrementalHash hash) => Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();

    public static string ShapeText(int[] shape)
    {
        var text = new StringBuilder();
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0) text.Append(',');
            text.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    private static void Field(IncrementalHash hash, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        hash.AppendData(Encoding.ASCII.GetBytes(bytes.Length.ToString(CultureInfo.InvariantCulture) + ":"));
        hash.AppendData(bytes);
        hash.AppendData("\n"u8);
    }
}

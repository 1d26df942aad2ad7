namespace FreeEnergy.Persistence;

/// <summary>
/// Reads and writes model files in the safetensors layout (DESIGN §4): an 8-byte little-endian header
/// length, a JSON header (dtype, shape, data_offsets per tensor, and a <c>__metadata__</c> map with the
/// model kind, hyperparameters, library and format versions and a content hash), then raw little-endian
/// float32 data. Writes are atomic; loads verify the hash and every shape.
/// </summary>
/// <remarks>
/// <para>Header: <c>{"__metadata__": {...}, "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}</c>,
/// compact JSON padded with spaces to a multiple of 8 bytes; tensors are stored in document order without gaps.
/// The files load with Python's <c>safetensors</c> (<c>safe_open</c>/<c>load_file</c>).</para>
/// <para>Metadata (all strings): <c>format</c> = "freeenergy", <c>format_version</c> = "1", <c>kind</c>,
/// <c>library_version</c>, <c>content_hash</c> (see below) and each hyperparameter <c>x</c> as <c>hp.x</c>.</para>
/// <para><c>content_hash</c> is the lowercase hex SHA-256 of: the fields <c>freeenergy-content-v1</c>, the number
/// of other metadata entries, each entry's key and value in ordinal key order, the number of tensors, and
/// each tensor's name, dtype and comma-separated shape (every field written as
/// <c>&lt;UTF-8 byte length&gt;:&lt;UTF-8 text&gt;\n</c>), followed by the data section's bytes.</para>
/// </remarks>
public static class ModelFile
{
    /// <summary>The format version this library writes; files with a higher version are refused.</summary>
    public const int FormatVersion = 1;

    /// <summary>
    /// Writes <paramref name="document"/> to <paramref name="path"/> atomically: a temporary file in the same
    /// directory is written and flushed to disk, then renamed over <paramref name="path"/>. On failure no
    /// partial file is left and an existing file at <paramref name="path"/> is untouched.
    /// </summary>
    /// <exception cref="ModelFileException">The document is invalid (shape and data disagree, duplicate or empty names, non-finite values) or the file cannot be written.</exception>
    public static void Save(string path, ModelDocument document)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(document);
        string full = System.IO.Path.GetFullPath(path);
        string directory = System.IO.Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(directory))
            throw new ModelFileException($"the directory {directory} does not exist.", path);
        string temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                SafetensorsWriter.Write(stream, document, path);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception ex)
        {
            TryDelete(temp);
            if (ex is ModelFileException) throw;
            if (ex is IOException or UnauthorizedAccessException)
                throw new ModelFileException($"the model file cannot be written: {ex.Message}", path, ex);
            throw;
        }
    }

    /// <summary>Writes <paramref name="document"/> to <paramref name="stream"/> (not atomic: the caller owns the stream).</summary>
    /// <exception cref="ModelFileException">The document is invalid.</exception>
    public static void Save(Stream stream, ModelDocument document)
    {
        ArgumentNullException.ThrowIfNull(stream);
        SafetensorsWriter.Write(stream, document, path: null);
    }

    /// <summary>Reads and verifies the model file at <paramref name="path"/>.</summary>
    /// <exception cref="ModelFileException">The file is missing, truncated, corrupted, not a FreeEnergyML model, or from a newer format version.</exception>
    public static ModelDocument Load(string path) => LoadWithMetadata(path).Document;

    /// <summary>Reads and verifies a model from <paramref name="stream"/> (read from its current position to its end).</summary>
    /// <exception cref="ModelFileException">The content is truncated, corrupted, not a FreeEnergyML model, or from a newer format version.</exception>
    public static ModelDocument Load(Stream stream) => LoadWithMetadata(stream).Document;

    /// <summary>Loads a model and also returns the raw <c>__metadata__</c> map (for <c>info</c>).</summary>
    internal static (ModelDocument Document, IReadOnlyDictionary<string, string> Metadata) LoadWithMetadata(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModelFileException("the model file does not exist.", path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException($"the model file cannot be opened: {ex.Message}", path, ex);
        }
        using (stream) return SafetensorsReader.Read(stream, path);
    }

    /// <summary>As <see cref="LoadWithMetadata(string)"/> for a stream; a non-seekable stream is buffered first.</summary>
    internal static (ModelDocument Document, IReadOnlyDictionary<string, string> Metadata) LoadWithMetadata(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek) return SafetensorsReader.Read(stream, path: null);
        var buffer = new MemoryStream();
        try
        {
            stream.CopyTo(buffer);
        }
        catch (IOException ex)
        {
            throw new ModelFileException($"the model stream cannot be read: {ex.Message}", null, ex);
        }
        buffer.Position = 0;
        return SafetensorsReader.Read(buffer, path: null);
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

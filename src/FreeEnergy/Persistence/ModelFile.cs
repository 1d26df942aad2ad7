namespace FreeEnergy.Persistence;

/// <summary>
/// Reads and writes model files in the safetensors layout (DESIGN §4): an 8-byte little-endian header
/// length, a JSON header (dtype, shape, data_offsets per tensor, and a <c>__metadata__</c> map with the
/// model kind, hyperparameters, library and format versions and a content hash), then raw little-endian
/// float32 data. Writes are atomic; loads verify the hash and every shape.
/// </summary>
public static class ModelFile
{
    /// <summary>The format version this library writes; files with a higher version are refused.</summary>
    public const int FormatVersion = 1;

    /// <summary>Writes <paramref name="document"/> to <paramref name="path"/> atomically (temp file, flush, rename).</summary>
    public static void Save(string path, ModelDocument document) => throw new NotImplementedException();

    /// <summary>Reads and verifies the model file at <paramref name="path"/>.</summary>
    public static ModelDocument Load(string path) => throw new NotImplementedException();
}

namespace FreeEnergy;

/// <summary>A model file that is missing, truncated, corrupted, of another kind, or from a newer format version.</summary>
public sealed class ModelFileException : FreeEnergyException
{
    /// <summary>Creates the exception for <paramref name="path"/> (may be null for streams).</summary>
    public ModelFileException(string message, string? path = null, Exception? innerException = null)
        : base(path is null ? message : $"{path}: {message}", innerException ?? new InvalidDataException(message))
    {
        Path = path;
    }

    /// <summary>The model file, when known.</summary>
    public string? Path { get; }
}

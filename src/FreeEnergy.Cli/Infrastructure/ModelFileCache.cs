using FreeEnergy.Persistence;

namespace FreeEnergy.Cli.Infrastructure;

/// <summary>
/// Model files read once per long-lived process (<c>freeenergy serve</c>): within <see cref="Use"/>, loading a model file
/// reads, checks and parses it only the first time, or again when its length or write time changed. Each load still
/// builds a fresh model from the cached document (models copy their tensors), so no request sees another's state.
/// Outside <see cref="Use"/> every load reads the file, as a one-shot verb should.
/// </summary>
internal sealed class ModelFileCache
{
    private static readonly AsyncLocal<ModelFileCache?> Current = new();
    private readonly Dictionary<string, (long Length, DateTime Written, ModelDocument Document)> _documents = new(StringComparer.Ordinal);

    /// <summary>Makes this cache the one <see cref="Load"/> uses on this flow of execution until the result is disposed.</summary>
    public IDisposable Use()
    {
        var previous = Current.Value;
        Current.Value = this;
        return new Restore(previous);
    }

    /// <summary>The document of the model file <paramref name="path"/>, from the current cache when there is one.</summary>
    public static ModelDocument Load(string path)
    {
        if (Current.Value is not { } cache) return ModelFile.Load(path);
        var full = Path.GetFullPath(path);
        var file = new FileInfo(full);
        if (cache._documents.TryGetValue(full, out var seen) && file.Exists && seen.Length == file.Length && seen.Written == file.LastWriteTimeUtc)
            return seen.Document;
        var document = ModelFile.Load(path);
        file.Refresh();
        cache._documents[full] = (file.Length, file.LastWriteTimeUtc, document);
        return document;
    }

    private sealed class Restore(ModelFileCache? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}

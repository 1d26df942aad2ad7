using System.Text;
using System.Text.Json;
using FreeEnergy.Persistence;

namespace FreeEnergy.Onnx.Graphs;

/// <summary>The metadata_props of an exported model: model kind, graph kind, hyperparameters (JSON), versions, outputs.</summary>
internal static class ExportMetadata
{
    public static IEnumerable<KeyValuePair<string, string>> For(ModelDocument document, OnnxGraphKind graph, IReadOnlyList<string> outputs)
    {
        yield return new(OnnxNames.MetadataModelKind, document.Kind);
        yield return new(OnnxNames.MetadataGraph, OnnxNames.GraphName(graph));
        yield return new(OnnxNames.MetadataHyperparameters, HyperparametersJson(document));
        yield return new(OnnxNames.MetadataLibrary, LibraryInfo.Name);
        yield return new(OnnxNames.MetadataLibraryVersion, LibraryInfo.Version);
        yield return new(OnnxNames.MetadataModelLibraryVersion, document.LibraryVersion);
        yield return new(OnnxNames.MetadataOutputs, string.Join(",", outputs));
    }

    /// <summary>The hyperparameters as one JSON object of strings, keys sorted (trim-safe: Utf8JsonWriter).</summary>
    public static string HyperparametersJson(ModelDocument document)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var key in document.Hyperparameters.Keys.OrderBy(k => k, StringComparer.Ordinal))
                writer.WriteString(key, document.Hyperparameters[key]);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

using System.Text.Json.Nodes;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Persistence;

namespace FreeEnergy.Cli.Commands;

/// <summary>Describes a model file for <c>info --model</c>: kind, versions, hyperparameters, tensor names and shapes.</summary>
internal static class ModelDescription
{
    public static JsonObject Describe(string path)
    {
        if (!File.Exists(path)) throw new CliException($"model file not found: {path}");
        var (document, metadata) = ModelFile.LoadWithMetadata(path);
        var hyperparameters = new JsonObject();
        var names = new List<string>(document.Hyperparameters.Keys);
        names.Sort(string.CompareOrdinal);
        foreach (var name in names) hyperparameters[name] = document.Hyperparameters[name];
        var tensors = new JsonArray();
        long parameters = 0;
        foreach (var tensor in document.Tensors)
        {
            var shape = new JsonArray();
            foreach (int d in tensor.Shape) shape.Add((JsonNode?)JsonValue.Create(d));
            tensors.Add((JsonNode?)new JsonObject { ["name"] = tensor.Name, ["shape"] = shape });
            parameters += tensor.Data.Length;
        }
        return new JsonObject
        {
            ["path"] = Path.GetFullPath(path),
            ["kind"] = document.Kind,
            ["formatVersion"] = metadata.TryGetValue("format_version", out var version) ? version : null,
            ["libraryVersion"] = document.LibraryVersion,
            ["contentHash"] = metadata.TryGetValue("content_hash", out var hash) ? hash : null,
            ["parameters"] = parameters,
            ["hyperparameters"] = hyperparameters,
            ["tensors"] = tensors,
        };
    }
}

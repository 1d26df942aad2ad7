using System.Text.Json.Nodes;
using FreeEnergy.Cli.Infrastructure;

namespace FreeEnergy.Cli.Commands;

/// <summary>Describes a model file for <c>info --model</c>.</summary>
internal static class ModelDescription
{
    public static JsonObject Describe(string path)
    {
        if (!File.Exists(path)) throw new CliException($"model file not found: {path}");
        throw new CliException("reading model files is not available in this build yet.");
    }
}

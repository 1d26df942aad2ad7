using System.Text.Json;
using System.Text.Json.Nodes;

namespace FreeEnergy.Cli.Infrastructure;

/// <summary>Writes the single JSON object a verb prints in <c>--json</c> mode (trim-safe: JsonNode only).</summary>
public static class JsonOutput
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes <paramref name="value"/> as one JSON document followed by a newline.</summary>
    public static void Write(TextWriter stdout, JsonObject value) => stdout.WriteLine(value.ToJsonString(Indented));

    /// <summary>A JSON array of numbers.</summary>
    public static JsonArray Numbers(IEnumerable<double> values)
    {
        var array = new JsonArray();
        foreach (var v in values) array.Add((JsonNode?)(double.IsFinite(v) ? JsonValue.Create(v) : null));
        return array;
    }

    /// <summary>A finite number or null (JSON has no NaN).</summary>
    public static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}

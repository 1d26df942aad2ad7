using System.CommandLine;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FreeEnergy.Cli.Infrastructure;

/// <summary>
/// Writes the single JSON object a verb prints in <c>--json</c> mode (trim-safe: JsonNode only). Every verb's object
/// starts with the same common fields (docs/cli.md): <c>verb</c>, <c>version</c>, <c>model</c> (the model kind, where
/// a model is involved), <c>seed</c> (for verbs that take <c>--seed</c>), <c>backend</c> (where one computes) and
/// <c>seconds</c> (since the command line was parsed), followed by the verb's own fields.
/// </summary>
public static class JsonOutput
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly ConditionalWeakTable<ParseResult, Stopwatch> Clocks = new();

    /// <summary>Starts the clock behind the <c>seconds</c> field of <paramref name="parse"/>'s verb.</summary>
    public static void StartClock(ParseResult parse) => Clocks.AddOrUpdate(parse, Stopwatch.StartNew());

    /// <summary>
    /// Writes the common fields and then <paramref name="fields"/> to the verb's output as one JSON document. A field of
    /// <paramref name="fields"/> named like a common one replaces its value in place (e.g. a verb's own measured <c>seconds</c>).
    /// </summary>
    public static void Write(ParseResult parse, JsonObject fields, string? model = null, string? backend = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(fields);
        var result = new JsonObject
        {
            ["verb"] = ParseErrorText.VerbPath(parse.CommandResult, withTool: false),
            ["version"] = LibraryInfo.Version,
        };
        bool seeded = parse.CommandResult.Command.Options.Any(o => o.Name == "--seed");
        Common("model", model);
        Common("seed", seeded ? parse.GetValue<ulong>("--seed") : null);
        Common("backend", backend);
        Common("seconds", Clocks.TryGetValue(parse, out var clock) ? clock.Elapsed.TotalSeconds : null);
        foreach (var (key, value) in fields.ToList())
        {
            fields.Remove(key);
            result[key] = value;
        }
        Write(parse.InvocationConfiguration.Output, result);

        // A common field in its place: the verb's own value when it has one, else the given one (absent when null).
        void Common(string key, JsonNode? fallback)
        {
            if (fields.TryGetPropertyValue(key, out var own))
            {
                fields.Remove(key);
                result[key] = own;
            }
            else if (fallback is not null) result[key] = fallback;
        }
    }

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

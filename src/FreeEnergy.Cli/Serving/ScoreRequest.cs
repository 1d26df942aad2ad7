using System.Text.Json;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Infrastructure;

namespace FreeEnergy.Cli.Serving;

/// <summary>
/// One request to <c>freeenergy serve</c>: a JSON object on one line,
/// <c>{"id": any, "data": "part.csv", "out": "part.scores.csv", "options": ["--estimator", "exact"]}</c>, scored as
/// <c>freeenergy score --model MODEL --threads N --data DATA --out OUT --json OPTIONS...</c> would score it.
/// <c>id</c> (echoed in the answer) and <c>options</c> (further <c>score</c> options) are optional.
/// </summary>
internal sealed record ScoreRequest(JsonNode? Id, string Data, string Out, IReadOnlyList<string> Options)
{
    /// <summary>The request's fields.</summary>
    public static readonly string[] Fields = ["id", "data", "out", "options"];

    /// <summary>Options a request's <c>options</c> may not hold: the server or the request's fields set them, or they print no scores.</summary>
    private static readonly (string Option, string Why)[] Reserved =
    [
        ("--model", "is set by serve --model"), ("--threads", "is set by serve --threads"), ("--data", "is set by the request's \"data\""),
        ("--out", "is set by the request's \"out\""), ("--json", "is set by the server (answers are JSON)"),
        ("--help", "prints help, not scores (run freeenergy score --help)"), ("-h", "prints help, not scores (run freeenergy score --help)"),
        ("-?", "prints help, not scores (run freeenergy score --help)"),
    ];

    /// <summary>
    /// Parses one request line. A bad request throws a <see cref="CliException"/> whose message says what is wrong
    /// and how to write it; <paramref name="id"/> is the request's id whenever the line was a JSON object.
    /// </summary>
    public static ScoreRequest Parse(string line, out JsonNode? id)
    {
        id = null;
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(line);
        }
        catch (JsonException e)
        {
            throw new CliException($"the request is not JSON ({e.Message.ReplaceLineEndings(" ").Trim()}); send one object per line, e.g. {Example}.");
        }
        if (node is not JsonObject request) throw new CliException($"a request is one JSON object per line, e.g. {Example}.");
        if (request.TryGetPropertyValue("id", out var given)) id = given?.DeepClone();
        foreach (var (key, _) in request)
            if (Array.IndexOf(Fields, key) < 0)
                throw new CliException($"unknown request field \"{key}\" (the fields are {string.Join(", ", Fields.Select(f => $"\"{f}\""))}).");
        var data = Text(request, "data", "the file to score");
        var @out = Text(request, "out", "the scores file to write");
        var options = ReadOptions(request);
        return new ScoreRequest(id, data, @out, options);
    }

    /// <summary>The <c>freeenergy</c> arguments that score this request with <paramref name="model"/> and <paramref name="threads"/>.</summary>
    public string[] Arguments(string model, int threads)
        => ["score", "--model", model, "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--data", Data, "--out", Out, "--json", .. Options];

    private const string Example = "{\"id\": 1, \"data\": \"part-0.csv\", \"out\": \"part-0.scores.csv\"}";

    private static string Text(JsonObject request, string field, string what)
    {
        if (!request.TryGetPropertyValue(field, out var value) || value is null)
            throw new CliException($"the request has no \"{field}\" ({what}), e.g. {Example}.");
        if (value.GetValueKind() != JsonValueKind.String || value.GetValue<string>() is not { Length: > 0 } text || string.IsNullOrWhiteSpace(text))
            throw new CliException($"the request's \"{field}\" must be a non-empty string ({what}).");
        return text;
    }

    private static string[] ReadOptions(JsonObject request)
    {
        if (!request.TryGetPropertyValue("options", out var value) || value is null) return [];
        const string shape = "the request's \"options\" must be an array of strings, e.g. [\"--estimator\", \"exact\"]";
        if (value is not JsonArray array) throw new CliException($"{shape}.");
        var options = new string[array.Count];
        for (int i = 0; i < options.Length; i++)
        {
            if (array[i] is not JsonValue item || item.GetValueKind() != JsonValueKind.String) throw new CliException($"{shape} (item {i + 1} is not a string).");
            options[i] = item.GetValue<string>();
            foreach (var (option, why) in Reserved)
                if (options[i] == option || options[i].StartsWith(option + "=", StringComparison.Ordinal) || options[i].StartsWith(option + ":", StringComparison.Ordinal))
                    throw new CliException($"{option} {why}; remove it from the request's \"options\".");
        }
        return options;
    }
}

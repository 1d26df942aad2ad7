using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Commands.Rbm;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Compute.Cpu;

namespace FreeEnergy.Cli.Serving;

/// <summary>
/// The loop of <c>freeenergy serve</c>: reads one <see cref="ScoreRequest"/> per line, scores it with the <c>score</c> verb
/// itself (so the output file is written exactly as <c>freeenergy score</c> writes it: the same bytes, through a temporary
/// file and a rename), and answers one JSON line per request, in order:
/// <c>{"id": ..., "status": "ok", "rows": N, "seconds": S, "cpuSeconds": C, "out": "/full/path"}</c> or
/// <c>{"id": ..., "status": "error", "exitCode": 2, "error": "error: ..."}</c> (the line <c>score</c> would print on stderr).
/// The model file is read once (<see cref="ModelFileCache"/>) and the code stays compiled between requests. Returns at the
/// end of the input (the client closed the pipe, or died).
/// </summary>
internal sealed class ScoringServer(string model, int threads)
{
    private readonly ModelFileCache _models = new();

    /// <summary>Answers as compact JSON with quotes and apostrophes in error lines left readable.</summary>
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Reads the model (a missing or bad model file fails here, once, not in every answer), then answers every request of
    /// <paramref name="requests"/> on <paramref name="answers"/> until the input ends; returns the exit code (0).
    /// </summary>
    public int Run(TextReader requests, TextWriter answers)
    {
        using var _ = _models.Use();
        RbmCli.LoadAny(model, CpuBackend.Default);
        while (requests.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            answers.WriteLine(Answer(line).ToJsonString(Compact));
            answers.Flush();
        }
        return ExitCodes.Success;
    }

    /// <summary>The answer to one request line.</summary>
    public JsonObject Answer(string line)
    {
        JsonNode? id = null;
        ScoreRequest request;
        try
        {
            request = ScoreRequest.Parse(line, out id);
        }
        catch (CliException e)
        {
            return Error(id, ExitCodes.BadInput, $"error: {e.Message}");
        }
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        int code = CommandLineApp.Run(request.Arguments(model, threads), stdout, stderr);
        double seconds = clock.Elapsed.TotalSeconds;
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        if (code != ExitCodes.Success) return Error(request.Id, code, ErrorLine(stderr.ToString(), code));
        long? rows = Rows(stdout.ToString());
        if (rows is null) return Error(request.Id, ExitCodes.InternalError, "error: internal failure: score printed no JSON summary with \"rows\".");
        return new JsonObject
        {
            ["id"] = request.Id?.DeepClone(), ["status"] = "ok", ["rows"] = rows, ["seconds"] = seconds, ["cpuSeconds"] = cpuSeconds,
            ["out"] = Path.GetFullPath(request.Out),
        };
    }

    private static JsonObject Error(JsonNode? id, int code, string line)
        => new() { ["id"] = id?.DeepClone(), ["status"] = "error", ["exitCode"] = code, ["error"] = line };

    /// <summary>The verb's one error line (<c>error: ...</c>; with FREEENERGY_DEBUG=1 a stack trace follows it and is left out).</summary>
    private static string ErrorLine(string stderr, int code)
    {
        foreach (var line in stderr.Split('\n'))
            if (line.StartsWith("error:", StringComparison.Ordinal)) return line.TrimEnd();
        return $"error: score exited with code {code}.";
    }

    private static long? Rows(string stdout)
    {
        try
        {
            return JsonNode.Parse(stdout) is JsonObject o && o["rows"] is JsonValue v && v.TryGetValue<long>(out var rows) ? rows : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

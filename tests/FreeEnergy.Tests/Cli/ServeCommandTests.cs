using System.Text.Json.Nodes;
using FreeEnergy.Cli;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Cli.Serving;
using FreeEnergy.Tests.Data;

namespace FreeEnergy.Tests.Cli;

/// <summary>
/// <c>freeenergy serve</c>: request parsing and its one-line errors, and a server answering a stream of requests whose
/// scores files equal <c>freeenergy score</c>'s byte for byte, whose errors are score's own stderr line, and which keeps
/// serving after a bad request (tests/scale runs the published binary as a process under Dask).
/// </summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _model;
    private readonly string _data;

    public ServeCommandTests()
    {
        var rng = new Random(18);
        _data = _dir.Write("data.csv", string.Join("\n", Enumerable.Range(0, 300).Select(_ => string.Join(",", Enumerable.Range(0, 16).Select(c => rng.NextDouble() < 0.3 + 0.4 * (c % 2) ? "1" : "0")))) + "\n");
        _model = _dir.File("rbm.fem");
        var (code, _, stderr) = CliSmokeTests.Run("train", "--model", "rbm", "--data", _data, "--hidden", "5", "--epochs", "1", "--out", _model);
        Assert.True(code == 0, stderr);
    }

    public void Dispose() => _dir.Dispose();

    private static string Request(object id, string data, string output, params string[] options)
        => new JsonObject { ["id"] = JsonValue.Create(id.ToString()), ["data"] = data, ["out"] = output, ["options"] = new JsonArray(options.Select(o => (JsonNode)o).ToArray()) }.ToJsonString();

    private List<JsonObject> Serve(int threads, params string[] lines)
    {
        var answers = new StringWriter();
        Assert.Equal(0, new ScoringServer(_model, threads).Run(new StringReader(string.Join("\n", lines) + "\n"), answers));
        return answers.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (JsonObject)JsonNode.Parse(l)!).ToList();
    }

    [Fact]
    public void AnswersEqualScoreByteForByteAndKeepServingAfterErrors()
    {
        var reference = _dir.File("reference.csv");
        Assert.Equal(0, CliSmokeTests.Run("score", "--model", _model, "--data", _data, "--threads", "2", "--out", reference).Code);
        var exact = _dir.File("reference-exact.csv");
        Assert.Equal(0, CliSmokeTests.Run("score", "--model", _model, "--data", _data, "--estimator", "exact", "--out", exact).Code);
        var bad = _dir.Write("bad.csv", "1,0,1\n");
        var expectedError = CliSmokeTests.Run("score", "--model", _model, "--data", bad, "--out", _dir.File("never.csv")).Err.Trim();

        var answers = Serve(1,
            Request(1, _data, _dir.File("a.csv")),
            Request(2, bad, _dir.File("b.csv")),
            "",
            Request(3, _data, _dir.File("c.csv"), "--estimator", "exact"),
            Request(4, _data, _dir.File("d.csv")));

        Assert.Equal(["1", "2", "3", "4"], answers.Select(a => a["id"]!.GetValue<string>()));
        Assert.Equal(["ok", "error", "ok", "ok"], answers.Select(a => a["status"]!.GetValue<string>()));
        Assert.Equal(300, answers[0]["rows"]!.GetValue<long>());
        Assert.Equal(Path.GetFullPath(_dir.File("a.csv")), answers[0]["out"]!.GetValue<string>());
        Assert.True(answers[0]["seconds"]!.GetValue<double>() > 0);
        Assert.Equal(expectedError, answers[1]["error"]!.GetValue<string>());
        Assert.Equal(ExitCodes.BadInput, answers[1]["exitCode"]!.GetValue<int>());
        Assert.False(File.Exists(_dir.File("b.csv")));
        Assert.Equal(File.ReadAllBytes(reference), File.ReadAllBytes(_dir.File("a.csv")));
        Assert.Equal(File.ReadAllBytes(reference), File.ReadAllBytes(_dir.File("d.csv")));
        Assert.Equal(File.ReadAllBytes(exact), File.ReadAllBytes(_dir.File("c.csv")));
        Assert.DoesNotContain(Directory.GetFiles(_dir.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void AReplacedModelFileIsReadAgain()
    {
        var first = _dir.File("first.csv");
        Assert.Equal(0, CliSmokeTests.Run("score", "--model", _model, "--data", _data, "--out", first).Code);
        var answers = new StringWriter();
        var requests = new BlockingReader(
            Request(1, _data, _dir.File("a.csv")),
            () => Assert.Equal(0, CliSmokeTests.Run("train", "--model", "rbm", "--data", _data, "--hidden", "7", "--epochs", "1", "--seed", "5", "--out", _model).Code),
            Request(2, _data, _dir.File("b.csv")));
        Assert.Equal(0, new ScoringServer(_model, 1).Run(requests, answers));
        var second = _dir.File("second.csv");
        Assert.Equal(0, CliSmokeTests.Run("score", "--model", _model, "--data", _data, "--out", second).Code);
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(_dir.File("a.csv")));
        Assert.Equal(File.ReadAllBytes(second), File.ReadAllBytes(_dir.File("b.csv")));
        Assert.NotEqual(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Theory]
    [InlineData("not json", "the request is not JSON")]
    [InlineData("[1, 2]", "a request is one JSON object per line")]
    [InlineData("{\"out\": \"o.csv\"}", "the request has no \"data\" (the file to score)")]
    [InlineData("{\"data\": \"d.csv\"}", "the request has no \"out\" (the scores file to write)")]
    [InlineData("{\"data\": 3, \"out\": \"o.csv\"}", "the request's \"data\" must be a non-empty string")]
    [InlineData("{\"data\": \" \", \"out\": \"o.csv\"}", "the request's \"data\" must be a non-empty string")]
    [InlineData("{\"data\": \"d.csv\", \"out\": \"o.csv\", \"extra\": 1}", "unknown request field \"extra\"")]
    [InlineData("{\"data\": \"d.csv\", \"out\": \"o.csv\", \"options\": \"--estimator exact\"}", "the request's \"options\" must be an array of strings")]
    [InlineData("{\"data\": \"d.csv\", \"out\": \"o.csv\", \"options\": [\"--estimator\", 3]}", "(item 2 is not a string)")]
    [InlineData("{\"data\": \"d.csv\", \"out\": \"o.csv\", \"options\": [\"--model\", \"m.fem\"]}", "--model is set by serve --model")]
    [InlineData("{\"data\": \"d.csv\", \"out\": \"o.csv\", \"options\": [\"--threads=4\"]}", "--threads is set by serve --threads")]
    [InlineData("{\"data\": \"d.csv\", \"out\": \"o.csv\", \"options\": [\"--out:x.csv\"]}", "--out is set by the request's \"out\"")]
    [InlineData("{\"data\": \"d.csv\", \"out\": \"o.csv\", \"options\": [\"--json\"]}", "--json is set by the server")]
    [InlineData("{\"data\": \"d.csv\", \"out\": \"o.csv\", \"options\": [\"--help\"]}", "--help prints help, not scores")]
    public void BadRequestsGetOneLineErrors(string line, string expected)
    {
        var error = Assert.Throws<CliException>(() => ScoreRequest.Parse(line, out _));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ARequestParsesIntoScoreArguments()
    {
        var request = ScoreRequest.Parse("{\"id\": {\"part\": 7}, \"data\": \"d.csv\", \"out\": \"o.csv\", \"options\": [\"--estimator\", \"exact\"]}", out var id);
        Assert.Equal(7, id!["part"]!.GetValue<int>());
        Assert.Equal(["score", "--model", "m.fem", "--threads", "2", "--data", "d.csv", "--out", "o.csv", "--json", "--estimator", "exact"], request.Arguments("m.fem", 2));
        Assert.Empty(ScoreRequest.Parse("{\"data\": \"d.csv\", \"out\": \"o.csv\"}", out id).Options);
        Assert.Null(id);
    }

    [Fact]
    public void BadRequestsAreAnsweredWithTheirIdAndTheServerGoesOn()
    {
        var answers = Serve(1, "{\"id\": 9, \"data\": \"d.csv\"}", "garbage", Request(5, _data, _dir.File("ok.csv"), "--estimator", "nonsense"), Request(6, _data, _dir.File("ok.csv")));
        Assert.Equal(9, answers[0]["id"]!.GetValue<int>());
        Assert.StartsWith("error: the request has no \"out\"", answers[0]["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(answers[1]["id"]);
        Assert.Equal("error", answers[2]["status"]!.GetValue<string>());
        Assert.StartsWith("error:", answers[2]["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("nonsense", answers[2]["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("ok", answers[3]["status"]!.GetValue<string>());
    }

    [Fact]
    public void AMissingModelFailsTheServerAtStartWithOneLine()
    {
        var (code, stdout, stderr) = CliSmokeTests.Run("serve", "--model", _dir.File("missing.fem"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: model file not found:", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    /// <summary>Request lines with an action between them (run when the server asks for the next line after the first).</summary>
    private sealed class BlockingReader(string first, Action between, string second) : TextReader
    {
        private int _next;

        public override string? ReadLine()
        {
            switch (_next++)
            {
                case 0: return first;
                case 1: between(); return second;
                default: return null;
            }
        }
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;

namespace FreeEnergy.Onnx.Tests.Harness;

/// <summary>One model run in ONNX Runtime: a model file and the <c>features</c> input.</summary>
internal sealed record OrtCase(string Id, string ModelPath, float[] Features, int Rows, int Columns)
{
    /// <summary>Timed runs after one warm-up (0 = none).</summary>
    public int Repeat { get; init; }
}

/// <summary>What ONNX Runtime answered for one <see cref="OrtCase"/>.</summary>
internal sealed record OrtResult(string Id, bool Ok, string? Error, IReadOnlyDictionary<string, OrtOutput> Outputs, double? MeanMs, double? MinMs);

/// <summary>One output tensor read back from ONNX Runtime.</summary>
internal sealed record OrtOutput(int[] Shape, float[] Data);

/// <summary>
/// Runs ONNX models in ONNX Runtime through tests/onnxruntime/run.js (onnxruntime-node), one Node process
/// per batch of cases. <see cref="Available"/> is false (with <see cref="Reason"/>) when node or the
/// installed package is missing: build/prepare-test-tools.sh installs it.
/// </summary>
internal static class OnnxRuntimeHarness
{
    private static readonly Lazy<(string? Script, string? Reason)> Location = new(Locate);

    public static bool Available => Location.Value.Script is not null;

    public static string Reason => Location.Value.Reason ?? "";

    /// <summary>Runs every case in one process with <paramref name="threads"/> intra-op threads.</summary>
    public static IReadOnlyDictionary<string, OrtResult> Run(IReadOnlyList<OrtCase> cases, int threads = 1)
    {
        string script = Location.Value.Script ?? throw new InvalidOperationException(Reason);
        string work = Path.Combine(Path.GetTempPath(), "freeenergy-onnx-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var list = new JsonArray();
            var inputFiles = new Dictionary<float[], string>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < cases.Count; i++)
            {
                var c = cases[i];
                if (!inputFiles.TryGetValue(c.Features, out var file))
                {
                    file = Path.Combine(work, $"input{inputFiles.Count}.f32");
                    File.WriteAllBytes(file, System.Runtime.InteropServices.MemoryMarshal.AsBytes(c.Features.AsSpan()).ToArray());
                    inputFiles[c.Features] = file;
                }
                list.Add(new JsonObject
                {
                    ["id"] = c.Id,
                    ["model"] = c.ModelPath,
                    ["inputs"] = new JsonObject { [OnnxNames.Features] = new JsonObject { ["file"] = file, ["shape"] = new JsonArray(c.Rows, c.Columns) } },
                    ["outputDir"] = Path.Combine(work, $"out{i}"),
                    ["warmup"] = c.Repeat > 0 ? 1 : 0,
                    ["repeat"] = c.Repeat,
                });
            }
            string manifest = Path.Combine(work, "manifest.json"), results = Path.Combine(work, "results.json");
            File.WriteAllText(manifest, new JsonObject { ["threads"] = threads, ["cases"] = list }.ToJsonString());

            var start = new ProcessStartInfo("node") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(manifest);
            start.ArgumentList.Add(results);
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(300_000)) { process.Kill(true); throw new TimeoutException("run.js did not finish in 300 s"); }
            if (process.ExitCode != 0) throw new InvalidOperationException($"run.js exited {process.ExitCode}: {stderr.Result}{stdout.Result}");

            var answer = new Dictionary<string, OrtResult>();
            foreach (var node in JsonNode.Parse(File.ReadAllText(results))!["cases"]!.AsArray())
            {
                string id = node!["id"]!.GetValue<string>();
                bool ok = node["ok"]!.GetValue<bool>();
                var outputs = new Dictionary<string, OrtOutput>();
                if (ok)
                {
                    foreach (var (name, value) in node["outputs"]!.AsObject())
                    {
                        var shape = value!["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
                        var bytes = File.ReadAllBytes(value["file"]!.GetValue<string>());
                        var data = new float[bytes.Length / 4];
                        Buffer.BlockCopy(bytes, 0, data, 0, bytes.Length);
                        Assert.Equal("float32", value["type"]!.GetValue<string>());
                        outputs[name] = new OrtOutput(shape, data);
                    }
                }
                var timing = node["timing"];
                answer[id] = new OrtResult(id, ok, node["error"]?.GetValue<string>(), outputs,
                    timing?["meanMs"]?.GetValue<double>(), timing?["minMs"]?.GetValue<double>());
            }
            return answer;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static (string?, string?) Locate()
    {
        string? root = RepositoryRoot();
        if (root is null) return (null, "the repository root (FreeEnergyML.sln) was not found above the test binaries.");
        string harness = Path.Combine(root, "tests", "onnxruntime");
        string script = Path.Combine(harness, "run.js");
        if (!File.Exists(Path.Combine(harness, "node_modules", "onnxruntime-node", "package.json")))
            return (null, "onnxruntime-node is not installed: run build/prepare-test-tools.sh (needs Node.js and npm).");
        try
        {
            var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("--version");
            using var p = Process.Start(start);
            if (p is null || !p.WaitForExit(20_000) || p.ExitCode != 0) return (null, "node is not runnable.");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (null, "node is not on the PATH: install Node.js 18 or newer.");
        }
        return (script, null);
    }

    internal static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FreeEnergyML.sln"))) return dir.FullName;
        return null;
    }
}

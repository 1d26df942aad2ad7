using System.CommandLine;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Onnx;
using FreeEnergy.Persistence;

namespace FreeEnergy.Cli.Commands;

/// <summary><c>freeenergy export-onnx --model M --graph encode|reconstruct|score|all --out FILE [--json]</c>.</summary>
internal static class ExportOnnxCommand
{
    public static Command Create()
    {
        var json = CommonOptions.Json();
        var model = new Option<FileInfo>("--model") { Description = "The model file to export.", Required = true };
        var graph = new Option<string>("--graph")
        {
            Description = "Which graph: encode (hidden / latent_mean + latent_log_variance), reconstruct (reconstruction), score (free_energy) or all.",
            Required = true,
        };
        var output = new Option<string>("--out") { Description = "The ONNX file to write (replaced atomically if it exists).", Required = true };

        var command = new Command("export-onnx", $"Export a model as an ONNX graph (opset {OnnxExporter.OpsetVersion}): input 'features' float32 [N,D], N dynamic.");
        command.Options.Add(model);
        command.Options.Add(graph);
        command.Options.Add(output);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var modelFile = parse.GetValue(model)!;
            if (!modelFile.Exists) throw new CliException($"model file not found: {modelFile.FullName}");
            if (!OnnxNames.TryParseGraph(parse.GetValue(graph), out var kind))
                throw new CliException($"--graph must be encode, reconstruct, score or all (got '{parse.GetValue(graph)}').");
            var outPath = OutputPath.CheckFile(parse.GetValue(output)!);

            var document = ModelFile.Load(modelFile.FullName);
            OnnxExportResult written;
            try { written = OnnxExporter.ExportToFile(document, kind, outPath); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw OutputPath.WriteFailure(outPath, ex); }

            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                var outputs = new JsonArray();
                foreach (var name in written.Outputs) outputs.Add((JsonNode?)JsonValue.Create(name));
                JsonOutput.Write(parse, new JsonObject
                {
                    ["model"] = document.Kind,
                    ["modelPath"] = modelFile.FullName,
                    ["graph"] = OnnxNames.GraphName(kind),
                    ["out"] = written.Path,
                    ["bytes"] = written.Bytes,
                    ["opset"] = OnnxExporter.OpsetVersion,
                    ["input"] = OnnxNames.Features,
                    ["outputs"] = outputs,
                });
            }
            else
            {
                stdout.WriteLine($"exported {document.Kind} '{OnnxNames.GraphName(kind)}' graph ({written.Bytes} bytes, opset {OnnxExporter.OpsetVersion}) to {written.Path}");
                stdout.WriteLine($"input: {OnnxNames.Features} [N,D]; outputs: {string.Join(", ", written.Outputs)}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}

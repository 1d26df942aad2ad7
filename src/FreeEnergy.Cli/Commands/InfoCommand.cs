using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Compute.Cpu;

namespace FreeEnergy.Cli.Commands;

/// <summary><c>freeenergy info [--model M]</c>: library, machine and (with --model) model facts.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var json = CommonOptions.Json();
        var model = new Option<FileInfo?>("--model") { Description = "A model file to describe." };
        var command = new Command("info", "Show the library version, CPU features and, with --model, a model's kind, shapes and hyperparameters.");
        command.Options.Add(model);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var result = new JsonObject
            {
                ["library"] = LibraryInfo.Name,
                ["version"] = LibraryInfo.Version,
                ["runtime"] = RuntimeInformation.FrameworkDescription,
                ["os"] = RuntimeInformation.OSDescription,
                ["processorCount"] = Environment.ProcessorCount,
                ["simd"] = CpuFeatures.Best.ToString().ToLowerInvariant(),
            };
            var modelFile = parse.GetValue(model);
            if (modelFile is not null) result["model"] = ModelDescription.Describe(modelFile.FullName);
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) JsonOutput.Write(parse, result);
            else WriteTable(stdout, result);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The human form: one "name  value" line per fact, strings unquoted; a model's hyperparameters and tensors one per
    /// indented line under their heading.
    /// </summary>
    internal static void WriteTable(TextWriter stdout, JsonObject result)
    {
        int width = 2 + Names(result).Max(n => n.Length);
        foreach (var (key, value) in result)
        {
            if (value is JsonObject model)
            {
                foreach (var (name, fact) in model)
                {
                    switch (fact)
                    {
                        case JsonObject hyperparameters:
                            stdout.WriteLine(name);
                            foreach (var (h, v) in hyperparameters) stdout.WriteLine($"  {h.PadRight(width - 2)} {Text(v)}");
                            break;
                        case JsonArray tensors:
                            stdout.WriteLine(name);
                            foreach (var t in tensors)
                                stdout.WriteLine($"  {Text(t?["name"]).PadRight(width - 2)} [{string.Join(", ", t?["shape"]?.AsArray().Select(Text) ?? [])}]");
                            break;
                        default:
                            stdout.WriteLine($"{name.PadRight(width)} {Text(fact)}");
                            break;
                    }
                }
            }
            else stdout.WriteLine($"{key.PadRight(width)} {Text(value)}");
        }
    }

    /// <summary>Every name the table shows, nested ones included, for the width of the name column.</summary>
    private static IEnumerable<string> Names(JsonObject result)
    {
        foreach (var (key, value) in result)
        {
            yield return key;
            if (value is not JsonObject model) continue;
            foreach (var (name, fact) in model)
            {
                yield return name;
                if (fact is JsonObject hyperparameters) foreach (var (h, _) in hyperparameters) yield return "  " + h;
                if (fact is JsonArray tensors) foreach (var t in tensors) yield return "  " + Text(t?["name"]);
            }
        }
    }

    /// <summary>A JSON value as the human form shows it: strings unquoted, null as "-".</summary>
    internal static string Text(JsonNode? node) => node switch
    {
        null => "-",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };
}

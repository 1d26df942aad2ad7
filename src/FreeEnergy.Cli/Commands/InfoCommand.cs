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
            else foreach (var (key, value) in result) stdout.WriteLine($"{key,-16} {value?.ToJsonString()}");
            return ExitCodes.Success;
        });
        return command;
    }
}

using System.CommandLine;
using FreeEnergy.Cli.Commands;

namespace FreeEnergy.Cli;

/// <summary>The verbs of the <c>freeenergy</c> tool, one file each under Commands/.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> Create()
    {
        yield return TrainCommand.Create();
        yield return ScoreCommand.Create();
        yield return ServeCommand.Create();
        yield return EvalCommand.Create();
        yield return EncodeCommand.Create();
        yield return ReconstructCommand.Create();
        yield return SampleCommand.Create();
        yield return InfoCommand.Create();
        yield return AnomalyEvalCommand.Create();
        yield return BenchCommand.Create();
        yield return DeviceCommand.Create();
        yield return ExportOnnxCommand.Create();
    }
}

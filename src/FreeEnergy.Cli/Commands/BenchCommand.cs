using System.CommandLine;

namespace FreeEnergy.Cli.Commands;

/// <summary><c>freeenergy bench ...</c>: timings with --json output.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks: gemm, rbm (and, as they land, vae, score).");
        command.Subcommands.Add(BenchGemmCommand.Create());
        command.Subcommands.Add(BenchRbmCommand.Create());
        return command;
    }
}

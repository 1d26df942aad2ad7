using System.CommandLine;

namespace FreeEnergy.Cli.Commands;

/// <summary><c>freeenergy bench ...</c>: timings with --json output.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks with --json output: gemm, rbm, vae, score, iwae.");
        command.Subcommands.Add(BenchGemmCommand.Create());
        command.Subcommands.Add(BenchScoreCommand.Create());
        command.Subcommands.Add(BenchVaeCommand.Create());
        command.Subcommands.Add(BenchRbmCommand.Create());
        command.Subcommands.Add(BenchIwaeCommand.Create());
        return command;
    }
}

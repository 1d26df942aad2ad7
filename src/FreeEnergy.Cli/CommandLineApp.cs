using System.CommandLine;
using System.CommandLine.Help;
using FreeEnergy.Cli.Infrastructure;

namespace FreeEnergy.Cli;

/// <summary>Builds the <c>freeenergy</c> command tree and runs it with uniform error handling.</summary>
public static class CommandLineApp
{
    /// <summary>
    /// Builds the root command with every verb. It is named <c>freeenergy</c> (the tool's command name, not the
    /// assembly's), so that usage lines read <c>freeenergy train [options]</c>.
    /// </summary>
    public static Command CreateRoot()
    {
        var root = new Command("freeenergy", "freeenergy: train, score, evaluate, export and benchmark RBMs and VAEs (FreeEnergyML).")
        {
            Options = { new HelpOption(), new VersionOption() },
        };
        foreach (var command in CommandCatalog.Create()) root.Subcommands.Add(command);
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var output = stdout ?? Console.Out;
        var errors = stderr ?? Console.Error;
        var root = CreateRoot();
        var parse = root.Parse(args);
        JsonOutput.StartClock(parse);
        if (parse.Errors.Count > 0)
        {
            errors.WriteLine($"error: {ParseErrorText.OneLine(parse)}");
            return ExitCodes.BadInput;
        }
        var config = new InvocationConfiguration { Output = output, Error = errors, EnableDefaultExceptionHandler = false };
        try
        {
            return parse.Invoke(config);
        }
        catch (Exception ex)
        {
            return CliErrors.Report(ex, errors);
        }
    }
}

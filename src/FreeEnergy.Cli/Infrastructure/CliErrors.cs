namespace FreeEnergy.Cli.Infrastructure;

/// <summary>Turns exceptions into one line on stderr and an exit code (no stack traces unless FREEENERGY_DEBUG=1).</summary>
public static class CliErrors
{
    /// <summary>Writes the error line and returns the exit code for <paramref name="ex"/>.</summary>
    public static int Report(Exception ex, TextWriter stderr)
    {
        if (ex is AggregateException { InnerExceptions.Count: 1 } agg) ex = agg.InnerExceptions[0];
        bool debug = Environment.GetEnvironmentVariable("FREEENERGY_DEBUG") == "1";
        switch (ex)
        {
            case OperationCanceledException:
                stderr.WriteLine("error: cancelled");
                return ExitCodes.Cancelled;
            case CliException or FreeEnergyException or IOException or UnauthorizedAccessException or ArgumentException or FormatException or PlatformNotSupportedException:
                stderr.WriteLine($"error: {OneLine(ex.Message)}");
                if (debug) stderr.WriteLine(ex);
                return ExitCodes.BadInput;
            default:
                stderr.WriteLine($"error: internal failure ({ex.GetType().Name}): {OneLine(ex.Message)}");
                if (debug) stderr.WriteLine(ex);
                return ExitCodes.InternalError;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}

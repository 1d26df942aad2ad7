namespace FreeEnergy.Cli.Infrastructure;

/// <summary>Process exit codes of the tool.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>An unexpected internal failure.</summary>
    public const int InternalError = 1;

    /// <summary>Bad input: arguments, data files, model files; divergence.</summary>
    public const int BadInput = 2;

    /// <summary>The run was cancelled (Ctrl+C).</summary>
    public const int Cancelled = 130;
}

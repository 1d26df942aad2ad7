namespace FreeEnergy.Cli.Infrastructure;

/// <summary>A user error detected by the tool itself (bad option combination, missing file).</summary>
public sealed class CliException : Exception
{
    /// <summary>Creates the error with the one line shown on stderr.</summary>
    public CliException(string message) : base(message) { }
}

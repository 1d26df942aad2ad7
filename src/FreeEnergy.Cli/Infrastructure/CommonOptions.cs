using System.CommandLine;

namespace FreeEnergy.Cli.Infrastructure;

/// <summary>Options shared by many verbs.</summary>
public static class CommonOptions
{
    /// <summary><c>--json</c>: print exactly one JSON object on stdout.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print exactly one JSON object on stdout and nothing else." };

    /// <summary><c>--threads</c>: worker threads (0 = all cores).</summary>
    public static Option<int> Threads() => new("--threads") { Description = "Worker threads (0 = all cores).", DefaultValueFactory = _ => 0 };

    /// <summary><c>--seed</c>: random seed.</summary>
    public static Option<ulong> Seed() => new("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1UL };

    /// <summary>Fails with a clear message when <paramref name="value"/> is outside [min, max].</summary>
    public static int Range(string option, int value, int min, int max = int.MaxValue)
    {
        if (value < min || value > max)
            throw new CliException(max == int.MaxValue ? $"{option} must be at least {min} (got {value})." : $"{option} must be in [{min}, {max}] (got {value}).");
        return value;
    }
}

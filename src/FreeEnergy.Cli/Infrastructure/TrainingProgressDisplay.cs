using FreeEnergy.Training;

namespace FreeEnergy.Cli.Infrastructure;

/// <summary>
/// Shows training progress on stderr for the CLI verbs: a live progress bar when stderr is a terminal, plain
/// periodic lines when it is redirected (logs, CI), nothing in <c>--json</c> mode (stdout carries one JSON
/// object and stderr stays quiet unless there is an error). Dispose it when training ends.
/// </summary>
/// <example>
/// <code>
/// using var progress = TrainingProgressDisplay.Create(json, parse.InvocationConfiguration.Error);
/// var model = trainer.Train(data, options, progress);
/// </code>
/// </example>
public static class TrainingProgressDisplay
{
    /// <summary>Seconds of training between two plain lines (the first and last epochs are always shown).</summary>
    public const double DefaultPlainInterval = 5.0;

    /// <summary>Chooses the display for the current verb.</summary>
    /// <param name="json">The verb's <c>--json</c> flag: no progress output at all.</param>
    /// <param name="stderr">Where progress goes (the invocation's error writer).</param>
    /// <param name="interactive">
    /// Whether <paramref name="stderr"/> is a terminal; null detects it (the process's own stderr, not redirected,
    /// and TERM not "dumb").
    /// </param>
    /// <param name="plainInterval">Seconds of training between plain lines.</param>
    public static ITrainingProgressDisplay Create(bool json, TextWriter stderr, bool? interactive = null, double plainInterval = DefaultPlainInterval)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        if (json) return new SilentProgress();
        bool live = interactive ?? IsTerminal(stderr);
        return live ? new LiveProgressBar(stderr) : new PlainProgressLines(stderr, plainInterval);
    }

    /// <summary>Whether <paramref name="stderr"/> is this process's error stream attached to a capable terminal.</summary>
    public static bool IsTerminal(TextWriter stderr) =>
        ReferenceEquals(stderr, Console.Error)
        && !Console.IsErrorRedirected
        && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);

    private sealed class SilentProgress : ITrainingProgressDisplay
    {
        public void Report(TrainingProgress value) { }

        public void Dispose() { }
    }
}

/// <summary>Receives training progress reports and releases the display (ends a live line) when disposed.</summary>
public interface ITrainingProgressDisplay : IProgress<TrainingProgress>, IDisposable
{
}

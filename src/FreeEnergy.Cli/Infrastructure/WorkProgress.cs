using System.CommandLine;

namespace FreeEnergy.Cli.Infrastructure;

/// <summary>
/// Progress of one long step of a verb other than epochs of training (log Z by AIS, sampled VAE estimates, training one
/// class of anomaly-eval): a live bar on a terminal, removed when the step ends; nothing with <c>--json</c> or when
/// stderr is not a terminal, so logs and captured output hold only results and errors.
/// </summary>
/// <example>
/// <code>
/// using var progress = WorkProgress.Start(parse, "log Z by AIS");
/// var estimate = AnnealedImportanceSampling.Estimate(model, data, new AisOptions { Progress = progress });
/// </code>
/// </example>
internal sealed class WorkProgress : IProgress<double>, IDisposable
{
    private readonly LiveProgressBar? _bar;
    private readonly string _what;

    private WorkProgress(LiveProgressBar? bar, string what)
    {
        _bar = bar;
        _what = what;
    }

    /// <summary>Starts the display of <paramref name="what"/> for the verb of <paramref name="parse"/>.</summary>
    /// <param name="parse">The verb's parse result: its <c>--json</c> flag and its error writer.</param>
    /// <param name="what">The step, e.g. "log Z by AIS".</param>
    /// <param name="indeterminate">The step reports no fractions: the bar pulses beside the elapsed time.</param>
    /// <param name="interactive">Whether stderr is a terminal; null detects it (tests force it).</param>
    public static WorkProgress Start(ParseResult parse, string what, bool indeterminate = false, bool? interactive = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        bool json = parse.CommandResult.Command.Options.Any(o => o.Name == "--json") && parse.GetValue<bool>("--json");
        var stderr = parse.InvocationConfiguration.Error;
        bool live = !json && (interactive ?? TrainingProgressDisplay.IsTerminal(stderr));
        return new WorkProgress(live ? new LiveProgressBar(stderr, description: what, indeterminate: indeterminate, autoClear: true) : null, what);
    }

    /// <summary>The fraction done, in [0, 1].</summary>
    public void Report(double value) => _bar?.Show(value, 1, _what);

    /// <summary>The fraction done with a new description (e.g. the class being trained).</summary>
    public void Report(double value, string what) => _bar?.Show(value, 1, what);

    /// <summary>Ends the display.</summary>
    public void Dispose() => _bar?.Dispose();
}

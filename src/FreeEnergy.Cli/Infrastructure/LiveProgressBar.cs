using FreeEnergy.Training;
using Spectre.Console;

namespace FreeEnergy.Cli.Infrastructure;

/// <summary>
/// A live Spectre.Console progress bar on a terminal: epochs done, the latest losses, the estimated time left
/// (from the reports' own clock) and the elapsed time; <see cref="Show"/> drives it for work other than training
/// (see <see cref="WorkProgress"/>).
/// Spectre's display loop runs on its own thread from construction until <see cref="Dispose"/>.
/// </summary>
internal sealed class LiveProgressBar : ITrainingProgressDisplay
{
    private readonly ManualResetEventSlim _finished = new();
    private readonly ManualResetEventSlim _ready = new();
    private readonly Thread _loop;
    private ProgressTask? _task;
    private Exception? _failure;
    private bool _disposed;

    /// <param name="writer">The terminal's writer.</param>
    /// <param name="ansi">Force ANSI escape sequences on or off (tests); null detects.</param>
    /// <param name="description">What the bar shows before the first report.</param>
    /// <param name="indeterminate">Work without a measure of how far it got: the bar pulses and the elapsed time runs.</param>
    /// <param name="autoClear">Remove the bar when done (work steps) instead of leaving its last state (training).</param>
    public LiveProgressBar(TextWriter writer, bool? ansi = null, string description = "training", bool indeterminate = false, bool autoClear = false)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = ansi switch { true => AnsiSupport.Yes, false => AnsiSupport.No, null => AnsiSupport.Detect },
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
        });
        var progress = console.Progress()
            .AutoClear(autoClear)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn());
        _loop = new Thread(() =>
        {
            try
            {
                progress.Start(context =>
                {
                    _task = context.AddTask(Markup.Escape(description), autoStart: true, maxValue: 1);
                    _task.IsIndeterminate = indeterminate;
                    _ready.Set();
                    _finished.Wait();
                    _task.StopTask();
                    context.Refresh();
                });
            }
            catch (Exception ex)
            {
                _failure = ex; // a display problem must never stop training
            }
            finally
            {
                _ready.Set();
            }
        })
        { IsBackground = true, Name = "freeenergy progress" };
        _loop.Start();
        _ready.Wait();
    }

    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string? eta = ProgressText.Eta(value);
        Show(value.Epoch, value.Epochs, eta is null ? ProgressText.Measures(value) : $"{ProgressText.Measures(value)}  {eta}");
    }

    /// <summary>Shows <paramref name="value"/> of <paramref name="max"/> done, described by <paramref name="description"/> (plain text).</summary>
    public void Show(double value, double max, string description)
    {
        var task = _task;
        if (task is null || _failure is not null) return;
        task.MaxValue = Math.Max(1, max);
        task.Value = Math.Clamp(value, 0, task.MaxValue);
        task.Description = Markup.Escape(description);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _finished.Set();
        _loop.Join(TimeSpan.FromSeconds(5));
        _finished.Dispose();
        _ready.Dispose();
    }
}

using FreeEnergy.Training;

namespace FreeEnergy.Cli.Infrastructure;

/// <summary>
/// One line per report on a redirected stderr, thinned out so logs stay short: the first report, the last epoch,
/// and otherwise at most one line per interval of training time (measured by the reports' own clock).
/// </summary>
internal sealed class PlainProgressLines : ITrainingProgressDisplay
{
    private readonly TextWriter _writer;
    private readonly double _interval;
    private readonly object _gate = new();
    private double _lastShown = double.NegativeInfinity;
    private TrainingProgress? _pending;

    public PlainProgressLines(TextWriter writer, double intervalSeconds)
    {
        _writer = writer;
        _interval = Math.Max(0, intervalSeconds);
    }

    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            bool show = double.IsNegativeInfinity(_lastShown) || value.Epoch >= value.Epochs || value.Seconds - _lastShown >= _interval;
            if (!show)
            {
                _pending = value;
                return;
            }
            Write(value);
        }
    }

    /// <summary>Shows the last report held back by the interval, so the log ends with where training stopped (early stopping, cancellation).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_pending is not null) Write(_pending);
            _writer.Flush();
        }
    }

    private void Write(TrainingProgress value)
    {
        _writer.WriteLine($"{ProgressText.Measures(value)}  {ProgressText.Timing(value)}");
        _lastShown = value.Seconds;
        _pending = null;
    }
}

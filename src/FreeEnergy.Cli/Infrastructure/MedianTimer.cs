using System.Diagnostics;

namespace FreeEnergy.Cli.Infrastructure;

/// <summary>Times a piece of work the way every <c>bench</c> verb reports it: warm-up, then the median of repeats.</summary>
internal static class MedianTimer
{
    /// <summary>Runs <paramref name="work"/> for at least <paramref name="warmupSeconds"/> (and at least once), then <paramref name="repeats"/> timed times; returns the median seconds.</summary>
    public static double MedianSeconds(Action work, int repeats, double warmupSeconds)
    {
        var sw = Stopwatch.StartNew();
        do work(); while (sw.Elapsed.TotalSeconds < warmupSeconds);
        var times = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            sw.Restart();
            work();
            times[r] = sw.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }
}

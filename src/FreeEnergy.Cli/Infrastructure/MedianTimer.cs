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
        return Median(times);
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("No values.", nameof(values));
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}

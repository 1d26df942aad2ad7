using System.Globalization;
using ScottPlot;

namespace FreeEnergy.Cli.Plots;

/// <summary>Overlaid histograms of score sets (normal and anomalous rows) on common bins, each normalised to fractions, with an optional threshold.</summary>
public static class ScoreHistogram
{
    /// <summary>The histogram plot: one translucent bar series per set (legend: name and row count), a dashed threshold line.</summary>
    /// <param name="sets">The named score sets; non-finite scores are left out.</param>
    /// <param name="bins">Number of bins across the common range.</param>
    /// <param name="threshold">A decision threshold to mark, or null.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="scoreName">What the score is, with its unit, for the x axis.</param>
    public static Plot Build(IReadOnlyList<(string Name, float[] Scores)> sets, int bins = 40, double? threshold = null, string title = "Anomaly scores", string scoreName = "score")
    {
        if (bins < 1) throw new ArgumentException($"A histogram needs at least one bin (got {bins}).");
        var (min, max, clipped) = Range(sets);
        if (threshold is double t && double.IsFinite(t)) { min = Math.Min(min, t); max = Math.Max(max, t); }
        if (!(max >= min)) { min = 0; max = 1; }
        if (max == min) { min -= 0.5; max += 0.5; }
        double width = (max - min) / bins;
        var plot = Charts.Titled(title, clipped ? scoreName + " (outliers in the end bins)" : scoreName, "fraction of rows");
        var centers = Enumerable.Range(0, bins).Select(b => min + (b + 0.5) * width).ToArray();
        for (int k = 0; k < sets.Count; k++)
        {
            var fractions = new double[bins];
            var finite = sets[k].Scores.Where(float.IsFinite).ToArray();
            foreach (float s in finite) fractions[Math.Clamp((int)((s - min) / width), 0, bins - 1)] += 1.0 / finite.Length;
            var bars = plot.Add.Bars(centers, fractions);
            var color = plot.Add.Palette.GetColor(k).WithAlpha(0.5);
            foreach (var bar in bars.Bars)
            {
                bar.Size = width;
                bar.FillColor = color;
                bar.LineWidth = 0;
            }
            bars.LegendText = string.Create(CultureInfo.InvariantCulture, $"{sets[k].Name} (n={sets[k].Scores.Length})");
        }
        if (threshold is double value && double.IsFinite(value))
        {
            var line = plot.Add.VerticalLine(value, 2, Colors.Black, LinePattern.Dashed);
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"threshold {value:G5}");
        }
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>
    /// The binned range: all finite scores, unless a few far outliers would squeeze the rest into a handful of bins;
    /// then the 0.5%..99.5% quantile range, with the outliers counted in the end bins.
    /// </summary>
    internal static (double Min, double Max, bool Clipped) Range(IReadOnlyList<(string Name, float[] Scores)> sets)
    {
        var finite = sets.SelectMany(s => s.Scores).Where(float.IsFinite).Order().ToList();
        if (finite.Count == 0) return (double.NaN, double.NaN, false);
        double min = finite[0], max = finite[^1];
        double low = finite[(int)Math.Floor(0.005 * (finite.Count - 1))], high = finite[(int)Math.Ceiling(0.995 * (finite.Count - 1))];
        if (high > low && max - min > 5 * (high - low)) return (low, high, true);
        return (min, max, false);
    }
}

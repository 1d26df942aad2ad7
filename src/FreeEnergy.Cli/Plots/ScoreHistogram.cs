using System.Globalization;

namespace FreeEnergy.Cli.Plots;

/// <summary>Overlaid histograms of two score sets (normal and anomalous rows) on common bins, each normalised to fractions.</summary>
internal static class ScoreHistogram
{
    public static void Draw(IPlotSurface surface, IReadOnlyList<(string Name, float[] Scores)> sets, int bins, double? threshold, string title, string xLabel)
    {
        if (bins < 1) throw new ArgumentException($"A histogram needs at least one bin (got {bins}).");
        var (min, max, clipped) = Range(sets);
        if (threshold is double t && double.IsFinite(t)) { min = Math.Min(min, t); max = Math.Max(max, t); }
        if (!(max >= min)) { min = 0; max = 1; }
        if (max == min) { min -= 0.5; max += 0.5; }
        double width = (max - min) / bins;

        var fractions = new double[sets.Count][];
        double top = 0;
        for (int k = 0; k < sets.Count; k++)
        {
            var counts = new double[bins];
            int finite = 0;
            foreach (float s in sets[k].Scores)
            {
                if (!float.IsFinite(s)) continue;
                counts[Math.Clamp((int)((s - min) / width), 0, bins - 1)]++;
                finite++;
            }
            for (int b = 0; b < bins; b++)
            {
                counts[b] = finite == 0 ? 0 : counts[b] / finite;
                top = Math.Max(top, counts[b]);
            }
            fractions[k] = counts;
        }

        if (clipped) xLabel += " (outliers in the end bins)";
        var frame = new ChartFrame(surface, title, xLabel, "fraction of rows", min, max, 0, top > 0 ? top * 1.05 : 1);
        var legend = new List<(string, PlotColor, bool)>();
        for (int k = 0; k < sets.Count; k++)
        {
            var color = PlotColor.Series(k);
            for (int b = 0; b < bins; b++)
            {
                if (fractions[k][b] <= 0) continue;
                double x0 = frame.X.Map(min + b * width), x1 = frame.X.Map(min + (b + 1) * width);
                double y = frame.Y.Map(fractions[k][b]);
                surface.FillRect(x0, y, x1 - x0, frame.Y.Map(0) - y, color, 0.5);
            }
            legend.Add((string.Create(CultureInfo.InvariantCulture, $"{sets[k].Name} (n={sets[k].Scores.Length})"), color, true));
        }
        if (threshold is double value && double.IsFinite(value))
        {
            double px = frame.X.Map(value);
            surface.Line(px, frame.Top, px, frame.Bottom, PlotColor.Black, 2, dashed: true);
            legend.Add((string.Create(CultureInfo.InvariantCulture, $"threshold {value:G5}"), PlotColor.Black, false));
        }
        frame.Legend(legend);
    }

    /// <summary>
    /// The binned range: all finite scores, unless a few far outliers would squeeze the rest into a handful of bins;
    /// then the 0.5%..99.5% quantile range, with the outliers counted in the end bins.
    /// </summary>
    internal static (double Min, double Max, bool Clipped) Range(IReadOnlyList<(string Name, float[] Scores)> sets)
    {
        var finite = new List<float>();
        foreach (var (_, scores) in sets)
            foreach (float s in scores)
                if (float.IsFinite(s)) finite.Add(s);
        if (finite.Count == 0) return (double.NaN, double.NaN, false);
        finite.Sort();
        double min = finite[0], max = finite[^1];
        double low = finite[(int)Math.Floor(0.005 * (finite.Count - 1))], high = finite[(int)Math.Ceiling(0.995 * (finite.Count - 1))];
        if (high > low && max - min > 5 * (high - low)) return (low, high, true);
        return (min, max, false);
    }
}

namespace FreeEnergy.Cli.Plots;

/// <summary>Several named series against a common x axis (training curves).</summary>
internal static class LineChart
{
    public static void Draw(IPlotSurface surface, IReadOnlyList<PlotSeries> series, string title, string xLabel, string yLabel)
    {
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity, yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        foreach (var s in series)
        {
            if (s.X.Count != s.Y.Count) throw new ArgumentException($"Series '{s.Name}' has {s.X.Count} x values but {s.Y.Count} y values.");
            for (int i = 0; i < s.X.Count; i++)
            {
                if (!double.IsFinite(s.X[i]) || !double.IsFinite(s.Y[i])) continue;
                xMin = Math.Min(xMin, s.X[i]); xMax = Math.Max(xMax, s.X[i]);
                yMin = Math.Min(yMin, s.Y[i]); yMax = Math.Max(yMax, s.Y[i]);
            }
        }
        var frame = new ChartFrame(surface, title, xLabel, yLabel, xMin, xMax, yMin, yMax);
        var legend = new List<(string, PlotColor, bool)>();
        for (int k = 0; k < series.Count; k++)
        {
            var color = PlotColor.Series(k);
            var run = new List<(double X, double Y)>();
            var s = series[k];
            for (int i = 0; i <= s.X.Count; i++)
            {
                bool ok = i < s.X.Count && double.IsFinite(s.X[i]) && double.IsFinite(s.Y[i]);
                if (ok) run.Add((frame.X.Map(s.X[i]), frame.Y.Map(s.Y[i])));
                else if (run.Count > 0)
                {
                    surface.Polyline(run, color, 2.5);
                    run = [];
                }
            }
            legend.Add((s.Name, color, false));
        }
        frame.Legend(legend);
    }
}

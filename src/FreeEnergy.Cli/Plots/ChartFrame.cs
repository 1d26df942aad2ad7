namespace FreeEnergy.Cli.Plots;

/// <summary>
/// The common furniture of an x-y chart: title, plot area, grid, ticks with labels, axis labels and legend.
/// Charts create a frame for their data ranges, draw their marks through <see cref="X"/> and <see cref="Y"/>,
/// then add the legend.
/// </summary>
internal sealed class ChartFrame
{
    public const double TitleSize = 18;
    public const double LabelSize = 14;
    public const double TickSize = 12;

    private readonly IPlotSurface _surface;

    public ChartFrame(IPlotSurface surface, string title, string xLabel, string yLabel,
        double xMin, double xMax, double yMin, double yMax, bool expandToTicks = true)
    {
        _surface = surface;
        // Leave room on the left for the widest y tick label, found from a provisional scale.
        var provisional = new AxisScale(yMin, yMax, 0, 1, expandToTicks: expandToTicks);
        double widest = 0;
        foreach (double t in provisional.Ticks()) widest = Math.Max(widest, surface.MeasureText(provisional.Label(t), TickSize));
        double left = 30 + widest + 16;
        double right = surface.Width - 24;
        double top = string.IsNullOrEmpty(title) ? 20 : 48;
        double bottom = surface.Height - 58;
        Left = left;
        Right = right;
        Top = top;
        Bottom = bottom;
        X = new AxisScale(xMin, xMax, left, right, expandToTicks: expandToTicks);
        Y = new AxisScale(yMin, yMax, bottom, top, expandToTicks: expandToTicks);

        if (!string.IsNullOrEmpty(title)) surface.Text((left + right) / 2, 24, title, TitleSize, PlotColor.Black, TextAnchor.Middle);
        foreach (double t in X.Ticks())
        {
            double px = X.Map(t);
            surface.Line(px, top, px, bottom, PlotColor.LightGrey, 1);
            surface.Line(px, bottom, px, bottom + 5, PlotColor.Black, 1);
            surface.Text(px, bottom + 16, X.Label(t), TickSize, PlotColor.Black, TextAnchor.Middle);
        }
        foreach (double t in Y.Ticks())
        {
            double py = Y.Map(t);
            surface.Line(left, py, right, py, PlotColor.LightGrey, 1);
            surface.Line(left - 5, py, left, py, PlotColor.Black, 1);
            surface.Text(left - 9, py, Y.Label(t), TickSize, PlotColor.Black, TextAnchor.End);
        }
        surface.Line(left, bottom, right, bottom, PlotColor.Black, 1.5);
        surface.Line(left, top, left, bottom, PlotColor.Black, 1.5);
        if (!string.IsNullOrEmpty(xLabel)) surface.Text((left + right) / 2, surface.Height - 18, xLabel, LabelSize, PlotColor.Black, TextAnchor.Middle);
        if (!string.IsNullOrEmpty(yLabel)) surface.Text(16, (top + bottom) / 2, yLabel, LabelSize, PlotColor.Black, TextAnchor.Middle, upward: true);
    }

    public AxisScale X { get; }
    public AxisScale Y { get; }
    public double Left { get; }
    public double Right { get; }
    public double Top { get; }
    public double Bottom { get; }

    /// <summary>A legend box in a corner of the plot area: one coloured swatch and name per entry.</summary>
    public void Legend(IReadOnlyList<(string Name, PlotColor Color, bool Filled)> entries, bool bottomRight = false)
    {
        if (entries.Count == 0) return;
        const double row = 20, pad = 8, swatch = 22;
        double width = 0;
        foreach (var e in entries) width = Math.Max(width, _surface.MeasureText(e.Name, LabelSize));
        width += swatch + 3 * pad;
        double height = entries.Count * row + pad;
        double x = Right - width - 10;
        double y = bottomRight ? Bottom - height - 10 : Top + 10;
        _surface.FillRect(x, y, width, height, PlotColor.White, 0.85);
        _surface.Line(x, y, x + width, y, PlotColor.Grey, 1);
        _surface.Line(x, y + height, x + width, y + height, PlotColor.Grey, 1);
        _surface.Line(x, y, x, y + height, PlotColor.Grey, 1);
        _surface.Line(x + width, y, x + width, y + height, PlotColor.Grey, 1);
        for (int i = 0; i < entries.Count; i++)
        {
            double cy = y + pad / 2 + row * i + row / 2;
            if (entries[i].Filled) _surface.FillRect(x + pad, cy - 6, swatch, 12, entries[i].Color, 0.6);
            else _surface.Line(x + pad, cy, x + pad + swatch, cy, entries[i].Color, 3);
            _surface.Text(x + 2 * pad + swatch, cy, entries[i].Name, LabelSize, PlotColor.Black);
        }
    }
}

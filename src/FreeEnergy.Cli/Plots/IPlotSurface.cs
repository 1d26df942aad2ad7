namespace FreeEnergy.Cli.Plots;

/// <summary>Horizontal placement of text relative to its anchor point.</summary>
internal enum TextAnchor
{
    Start,
    Middle,
    End,
}

/// <summary>
/// What a chart draws on: pixel coordinates, origin top-left, y downwards. Implemented for SVG (vector text)
/// and for a raster image written as PNG (bitmap font), so every chart is described once.
/// </summary>
internal interface IPlotSurface
{
    int Width { get; }
    int Height { get; }

    void FillRect(double x, double y, double width, double height, PlotColor color, double opacity = 1);

    void Line(double x1, double y1, double x2, double y2, PlotColor color, double width, bool dashed = false);

    /// <summary>A connected line through <paramref name="points"/>.</summary>
    void Polyline(IReadOnlyList<(double X, double Y)> points, PlotColor color, double width);

    /// <summary>Text vertically centred on <paramref name="y"/>; <paramref name="upward"/> rotates it to read bottom to top, centred on (x, y).</summary>
    void Text(double x, double y, string text, double size, PlotColor color, TextAnchor anchor = TextAnchor.Start, bool upward = false);

    /// <summary>Approximate width of <paramref name="text"/> at <paramref name="size"/>, for layout.</summary>
    double MeasureText(string text, double size);

    /// <summary>The finished picture in the surface's file format.</summary>
    byte[] Encode();
}

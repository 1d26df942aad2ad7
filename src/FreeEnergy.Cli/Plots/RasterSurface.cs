namespace FreeEnergy.Cli.Plots;

/// <summary>Draws charts into a <see cref="RasterImage"/> and encodes it as PNG.</summary>
internal sealed class RasterSurface : IPlotSurface
{
    private readonly RasterImage _image;

    public RasterSurface(int width, int height) => _image = new RasterImage(width, height, PlotColor.White);

    public int Width => _image.Width;
    public int Height => _image.Height;
    public RasterImage Image => _image;

    public void FillRect(double x, double y, double width, double height, PlotColor color, double opacity = 1) =>
        _image.FillRect(x, y, width, height, color, opacity);

    public void Line(double x1, double y1, double x2, double y2, PlotColor color, double width, bool dashed = false) =>
        _image.Line(x1, y1, x2, y2, color, width, dashed);

    public void Polyline(IReadOnlyList<(double X, double Y)> points, PlotColor color, double width)
    {
        if (points.Count == 1) _image.FillRect(points[0].X - width, points[0].Y - width, 2 * width, 2 * width, color);
        for (int i = 1; i < points.Count; i++)
            _image.Line(points[i - 1].X, points[i - 1].Y, points[i].X, points[i].Y, color, width);
    }

    public void Text(double x, double y, string text, double size, PlotColor color, TextAnchor anchor = TextAnchor.Start, bool upward = false)
    {
        int scale = Scale(size);
        int length = BitmapFont.Width(text) * scale;
        int thickness = BitmapFont.GlyphHeight * scale;
        if (upward)
        {
            int top = anchor switch { TextAnchor.Middle => (int)Math.Round(y - length / 2.0), TextAnchor.End => (int)Math.Round(y), _ => (int)Math.Round(y - length) };
            _image.TextUpward((int)Math.Round(x - thickness / 2.0), top, text, color, scale);
            return;
        }
        int left = anchor switch { TextAnchor.Middle => (int)Math.Round(x - length / 2.0), TextAnchor.End => (int)Math.Round(x - length), _ => (int)Math.Round(x) };
        _image.Text(left, (int)Math.Round(y - thickness / 2.0), text, color, scale);
    }

    public double MeasureText(string text, double size) => BitmapFont.Width(text) * Scale(size);

    public byte[] Encode() => _image.ToPng();

    /// <summary>Font pixel size for a nominal text size: 7 font rows make up about <paramref name="size"/> pixels.</summary>
    private static int Scale(double size) => Math.Max(1, (int)Math.Round(size / 7.0, MidpointRounding.AwayFromZero));
}

using System.Globalization;
using System.Security;
using System.Text;

namespace FreeEnergy.Cli.Plots;

/// <summary>Draws charts as SVG 1.1 text (with real &lt;text&gt; elements).</summary>
internal sealed class SvgSurface : IPlotSurface
{
    private readonly StringBuilder _body = new();

    public SvgSurface(int width, int height)
    {
        Width = width;
        Height = height;
        FillRect(0, 0, width, height, PlotColor.White);
    }

    public int Width { get; }
    public int Height { get; }

    public void FillRect(double x, double y, double width, double height, PlotColor color, double opacity = 1)
    {
        Append($"<rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(Math.Max(0, width))}\" height=\"{N(Math.Max(0, height))}\" fill=\"{color.ToHex()}\"");
        if (opacity < 1) Append($" fill-opacity=\"{N(opacity)}\"");
        _body.Append("/>\n");
    }

    public void Line(double x1, double y1, double x2, double y2, PlotColor color, double width, bool dashed = false)
    {
        Append($"<line x1=\"{N(x1)}\" y1=\"{N(y1)}\" x2=\"{N(x2)}\" y2=\"{N(y2)}\" stroke=\"{color.ToHex()}\" stroke-width=\"{N(width)}\"");
        if (dashed) _body.Append(" stroke-dasharray=\"6 6\"");
        _body.Append("/>\n");
    }

    public void Polyline(IReadOnlyList<(double X, double Y)> points, PlotColor color, double width)
    {
        _body.Append("<polyline fill=\"none\" stroke-linejoin=\"round\" points=\"");
        for (int i = 0; i < points.Count; i++)
        {
            if (i > 0) _body.Append(' ');
            Append($"{N(points[i].X)},{N(points[i].Y)}");
        }
        Append($"\" stroke=\"{color.ToHex()}\" stroke-width=\"{N(width)}\"/>\n");
    }

    public void Text(double x, double y, string text, double size, PlotColor color, TextAnchor anchor = TextAnchor.Start, bool upward = false)
    {
        string anchorName = anchor switch { TextAnchor.Middle => "middle", TextAnchor.End => "end", _ => "start" };
        Append($"<text x=\"{N(x)}\" y=\"{N(y)}\" font-family=\"sans-serif\" font-size=\"{N(size)}\" fill=\"{color.ToHex()}\" text-anchor=\"{anchorName}\" dominant-baseline=\"central\"");
        if (upward) Append($" transform=\"rotate(-90 {N(x)} {N(y)})\"");
        _body.Append('>').Append(SecurityElement.Escape(WithoutControlCharacters(text))).Append("</text>\n");
    }

    public double MeasureText(string text, double size) => text.Length * size * 0.6;

    /// <summary>Embeds a raster picture (PNG bytes) at the given place, scaled without smoothing.</summary>
    public void Image(double x, double y, double width, double height, byte[] png)
    {
        Append($"<image x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(width)}\" height=\"{N(height)}\" style=\"image-rendering:pixelated\" preserveAspectRatio=\"none\" href=\"data:image/png;base64,");
        _body.Append(Convert.ToBase64String(png)).Append("\"/>\n");
    }

    public string ToXml() =>
        string.Create(CultureInfo.InvariantCulture,
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\">\n{_body}</svg>\n");

    public byte[] Encode() => new UTF8Encoding(false).GetBytes(ToXml());

    private void Append(FormattableString text) => _body.Append(text.ToString(CultureInfo.InvariantCulture));

    private static string WithoutControlCharacters(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text) builder.Append(char.IsControl(c) ? ' ' : c);
        return builder.ToString();
    }

    private static string N(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);
}

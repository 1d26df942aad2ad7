namespace FreeEnergy.Cli.Plots;

/// <summary>An RGB pixel buffer with the few drawing operations charts need: rectangles, thick lines and 5x7 text.</summary>
internal sealed class RasterImage
{
    public RasterImage(int width, int height, PlotColor background)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"An image needs a positive size (got {width}x{height}).");
        Width = width;
        Height = height;
        Pixels = new byte[checked(width * height * 3)];
        FillRect(0, 0, width, height, background);
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Row-major RGB bytes.</summary>
    public byte[] Pixels { get; }

    public PlotColor this[int x, int y]
    {
        get
        {
            int i = (y * Width + x) * 3;
            return new PlotColor(Pixels[i], Pixels[i + 1], Pixels[i + 2]);
        }
    }

    /// <summary>Blends <paramref name="color"/> over pixel (x, y) with <paramref name="opacity"/> in [0, 1]; outside pixels are ignored.</summary>
    public void Blend(int x, int y, PlotColor color, double opacity = 1)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) return;
        int i = (y * Width + x) * 3;
        if (opacity >= 1)
        {
            Pixels[i] = color.R;
            Pixels[i + 1] = color.G;
            Pixels[i + 2] = color.B;
            return;
        }
        Pixels[i] = Mix(Pixels[i], color.R, opacity);
        Pixels[i + 1] = Mix(Pixels[i + 1], color.G, opacity);
        Pixels[i + 2] = Mix(Pixels[i + 2], color.B, opacity);
    }

    /// <summary>Fills the pixels whose centres lie in [x, x + w) x [y, y + h).</summary>
    public void FillRect(double x, double y, double w, double h, PlotColor color, double opacity = 1)
    {
        int x0 = Math.Max(0, (int)Math.Round(x)), x1 = Math.Min(Width, (int)Math.Round(x + w));
        int y0 = Math.Max(0, (int)Math.Round(y)), y1 = Math.Min(Height, (int)Math.Round(y + h));
        for (int py = y0; py < y1; py++)
            for (int px = x0; px < x1; px++)
                Blend(px, py, color, opacity);
    }

    /// <summary>A straight line <paramref name="thickness"/> pixels wide (square pen), optionally dashed.</summary>
    public void Line(double x0, double y0, double x1, double y1, PlotColor color, double thickness, bool dashed = false)
    {
        double dx = x1 - x0, dy = y1 - y0;
        int steps = Math.Max(1, (int)Math.Ceiling(Math.Max(Math.Abs(dx), Math.Abs(dy))));
        int pen = Math.Max(1, (int)Math.Round(thickness));
        double length = Math.Sqrt(dx * dx + dy * dy);
        for (int s = 0; s <= steps; s++)
        {
            double t = (double)s / steps;
            if (dashed && ((int)(t * length / 6) & 1) == 1) continue;
            int cx = (int)Math.Round(x0 + dx * t - (pen - 1) / 2.0);
            int cy = (int)Math.Round(y0 + dy * t - (pen - 1) / 2.0);
            for (int py = cy; py < cy + pen; py++)
                for (int px = cx; px < cx + pen; px++)
                    Blend(px, py, color);
        }
    }

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (x, y), each font pixel <paramref name="scale"/> pixels square.</summary>
    public void Text(int x, int y, string text, PlotColor color, int scale)
    {
        for (int k = 0; k < text.Length; k++)
        {
            var glyph = BitmapFont.Glyph(text[k]);
            int gx = x + k * BitmapFont.Advance * scale;
            for (int row = 0; row < BitmapFont.GlyphHeight; row++)
                for (int col = 0; col < BitmapFont.GlyphWidth; col++)
                    if ((glyph[row] & (1 << (BitmapFont.GlyphWidth - 1 - col))) != 0)
                        FillRect(gx + col * scale, y + row * scale, scale, scale, color);
        }
    }

    /// <summary>Draws <paramref name="text"/> rotated a quarter turn anticlockwise (reading bottom to top), its bounding box's top-left at (x, y).</summary>
    public void TextUpward(int x, int y, string text, PlotColor color, int scale)
    {
        int length = BitmapFont.Width(text) * scale;
        for (int k = 0; k < text.Length; k++)
        {
            var glyph = BitmapFont.Glyph(text[k]);
            for (int row = 0; row < BitmapFont.GlyphHeight; row++)
                for (int col = 0; col < BitmapFont.GlyphWidth; col++)
                    if ((glyph[row] & (1 << (BitmapFont.GlyphWidth - 1 - col))) != 0)
                    {
                        // Font pixel (u, v) of the unrotated line maps to (v, length - 1 - u).
                        int u = (k * BitmapFont.Advance + col) * scale;
                        FillRect(x + row * scale, y + length - u - scale, scale, scale, color);
                    }
        }
    }

    public byte[] ToPng() => PngEncoder.EncodeRgb(Width, Height, Pixels);

    private static byte Mix(byte under, byte over, double opacity) => (byte)Math.Round(under + (over - under) * opacity);
}

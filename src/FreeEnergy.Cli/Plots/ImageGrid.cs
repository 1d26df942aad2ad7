namespace FreeEnergy.Cli.Plots;

/// <summary>Lays grayscale images (rows of a matrix, values in [0, 1]) out in a grid, as 8-bit gray pixels.</summary>
internal static class ImageGrid
{
    /// <summary>Gap between tiles and around the grid, in output pixels.</summary>
    public const int Gap = 2;

    /// <summary>
    /// Renders the rows listed in <paramref name="tiles"/> (row index into <paramref name="data"/>, or -1 for an empty
    /// tile) into a grid of <paramref name="columns"/> tiles per line. Returns width, height and gray pixels.
    /// </summary>
    public static (int Width, int Height, byte[] Pixels) Render(float[] data, int rowLength, IReadOnlyList<int> tiles,
        int imageWidth, int imageHeight, int columns, int scale, byte background)
    {
        if (imageWidth <= 0 || imageHeight <= 0 || (long)imageWidth * imageHeight != rowLength)
            throw new ArgumentException($"Rows of {rowLength} values cannot be shown as {imageWidth}x{imageHeight} images.");
        if (columns < 1) throw new ArgumentException($"An image grid needs at least one column (got {columns}).");
        if (scale < 1) throw new ArgumentException($"The pixel scale must be at least 1 (got {scale}).");
        if (tiles.Count == 0) throw new ArgumentException("An image grid needs at least one image.");
        int gridColumns = Math.Min(columns, tiles.Count);
        int gridRows = (tiles.Count + columns - 1) / columns;
        int tileWidth = imageWidth * scale, tileHeight = imageHeight * scale;
        int width = checked(gridColumns * (tileWidth + Gap) + Gap);
        int height = checked(gridRows * (tileHeight + Gap) + Gap);
        var pixels = new byte[checked(width * height)];
        Array.Fill(pixels, background);
        for (int t = 0; t < tiles.Count; t++)
        {
            int row = tiles[t];
            if (row < 0) continue;
            int ox = Gap + (t % columns) * (tileWidth + Gap);
            int oy = Gap + (t / columns) * (tileHeight + Gap);
            int start = row * rowLength;
            for (int y = 0; y < imageHeight; y++)
                for (int x = 0; x < imageWidth; x++)
                {
                    float v = data[start + y * imageWidth + x];
                    byte gray = float.IsNaN(v) ? (byte)0 : (byte)Math.Round(Math.Clamp(v, 0f, 1f) * 255f);
                    for (int sy = 0; sy < scale; sy++)
                    {
                        int offset = (oy + y * scale + sy) * width + ox + x * scale;
                        pixels.AsSpan(offset, scale).Fill(gray);
                    }
                }
        }
        return (width, height, pixels);
    }
}

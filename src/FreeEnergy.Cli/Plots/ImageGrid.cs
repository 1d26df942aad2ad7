using FreeEnergy.Tensors;
using ScottPlot;

namespace FreeEnergy.Cli.Plots;

/// <summary>Grayscale images (rows of a matrix, values in [0, 1], 1 = white) laid out in a grid and shown as a ScottPlot heatmap.</summary>
public static class ImageGrid
{
    /// <summary>Gap between tiles and around the grid, in image pixels.</summary>
    public const int Gap = 1;

    /// <summary>Height of the title band above the grid, in output pixels.</summary>
    public const int TitleHeight = 40;

    /// <summary>Gray level of the gaps and of empty tiles.</summary>
    public const double Background = 0.375;

    /// <summary>
    /// The grid of the rows listed in <paramref name="tiles"/> (row index into <paramref name="images"/>, or -1 for an empty
    /// tile), <paramref name="columns"/> tiles per line, as intensities [grid row, grid column] (row 0 at the top).
    /// </summary>
    public static double[,] Layout(Matrix images, IReadOnlyList<int> tiles, int imageWidth, int imageHeight, int columns)
    {
        if (imageWidth <= 0 || imageHeight <= 0 || (long)imageWidth * imageHeight != images.Columns)
            throw new ArgumentException($"Rows of {images.Columns} values cannot be shown as {imageWidth}x{imageHeight} images.");
        if (columns < 1) throw new ArgumentException($"An image grid needs at least one column (got {columns}).");
        if (tiles.Count == 0) throw new ArgumentException("An image grid needs at least one image.");
        int lines = (tiles.Count + columns - 1) / columns, across = Math.Min(columns, tiles.Count);
        var grid = new double[lines * (imageHeight + Gap) + Gap, across * (imageWidth + Gap) + Gap];
        for (int y = 0; y < grid.GetLength(0); y++)
            for (int x = 0; x < grid.GetLength(1); x++) grid[y, x] = Background;
        for (int t = 0; t < tiles.Count; t++)
        {
            if (tiles[t] < 0) continue;
            int top = Gap + t / columns * (imageHeight + Gap), left = Gap + t % columns * (imageWidth + Gap);
            for (int y = 0; y < imageHeight; y++)
                for (int x = 0; x < imageWidth; x++)
                {
                    float v = images[tiles[t], y * imageWidth + x];
                    grid[top + y, left + x] = float.IsNaN(v) ? 0 : Math.Clamp(v, 0f, 1f);
                }
        }
        return grid;
    }

    /// <summary>Average glyph width of the title font as a fraction of its size (a conservative figure for the default sans font).</summary>
    private const double GlyphWidth = 0.6;

    /// <summary>
    /// The grid as a heatmap in gray levels 0 (black) .. 1 (white) filling the figure below a title band of
    /// <see cref="TitleHeight"/> pixels, no axes; the title's font shrinks so that the whole title fits in
    /// <paramref name="widthPixels"/> (a narrow grid would otherwise cut it at both ends).
    /// </summary>
    public static Plot Build(double[,] grid, string title, int widthPixels)
    {
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(grid);
        heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        plot.Title(title);
        var label = plot.Axes.Title.Label;
        label.FontSize = (float)Math.Min(label.FontSize, 0.95 * widthPixels / (GlyphWidth * Math.Max(1, title.Length)));
        foreach (var axis in new IAxis[] { plot.Axes.Left, plot.Axes.Right, plot.Axes.Bottom, plot.Axes.Top }) axis.IsVisible = false;
        plot.HideGrid();
        plot.Axes.Margins(0, 0);
        plot.Layout.Fixed(new PixelPadding(0, 0, 0, TitleHeight));
        return plot;
    }
}

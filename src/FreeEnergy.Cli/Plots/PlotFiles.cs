using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Evaluation;
using FreeEnergy.Tensors;
using FreeEnergy.Training;
using ScottPlot;

namespace FreeEnergy.Cli.Plots;

/// <summary>
/// Writes the tool's pictures (training curves, image grids, score histograms, ROC curves), drawn by ScottPlot, as PNG
/// or SVG chosen by the file extension (.png or .svg). Files are written atomically (temporary file, then rename) into
/// folders created when missing. The plots themselves come from <see cref="Charts"/>, <see cref="ScoreHistogram"/> and
/// <see cref="ImageGrid"/>.
/// </summary>
public static class PlotFiles
{
    /// <summary>Width of chart pictures in pixels.</summary>
    public const int ChartWidth = 800;

    /// <summary>Height of chart pictures in pixels.</summary>
    public const int ChartHeight = 500;

    /// <summary>Width and height of ROC pictures in pixels.</summary>
    public const int RocSize = 600;

    /// <summary>The format a path asks for by its extension; a clear error for anything but .png and .svg.</summary>
    public static PlotFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => PlotFormat.Png,
        ".svg" => PlotFormat.Svg,
        _ => throw new CliException($"Cannot tell the picture format of '{path}': use a .png or .svg file name."),
    };

    /// <summary>A line chart of several series (see <see cref="Charts.Lines"/>).</summary>
    public static void WriteLineChart(string path, IReadOnlyList<PlotSeries> series, string title, string xLabel, string yLabel) =>
        Save(path, Charts.Lines(series, title, xLabel, yLabel), ChartWidth, ChartHeight);

    /// <summary>Training curves of one run (see <see cref="Charts.TrainingCurves"/>).</summary>
    public static void WriteTrainingCurves(string path, IReadOnlyList<TrainingProgress> history, string lossName = "loss", string title = "Training") =>
        Save(path, Charts.TrainingCurves(history, lossName, title), ChartWidth, ChartHeight);

    /// <summary>ROC curves with their AUC (see <see cref="Charts.Roc"/>).</summary>
    public static void WriteRoc(string path, IReadOnlyList<(string Name, RocCurve Curve)> curves, string title = "ROC") =>
        Save(path, Charts.Roc(curves, title), RocSize, RocSize);

    /// <summary>Histograms of normal and anomalous scores with an optional threshold (see <see cref="ScoreHistogram.Build"/>).</summary>
    public static void WriteScoreHistogram(string path, float[] normal, float[] anomalous, double? threshold = null, int bins = 40, string title = "Anomaly scores", string scoreName = "score") =>
        Save(path, ScoreHistogram.Build([("normal", normal), ("anomalous", anomalous)], bins, threshold, title, scoreName), ChartWidth, ChartHeight);

    /// <summary>
    /// A grid of grayscale images, one per row of <paramref name="images"/> (values in [0, 1]), the first
    /// <paramref name="maxImages"/> rows, <paramref name="columns"/> per line, each image pixel <paramref name="scale"/> output pixels wide.
    /// </summary>
    public static void WriteImageGrid(string path, Matrix images, int imageWidth, int imageHeight, int columns = 10, int maxImages = 100, int scale = 2, string title = "Images")
    {
        var tiles = Enumerable.Range(0, Math.Min(images.Rows, Math.Max(0, maxImages))).ToArray();
        SaveGrid(path, ImageGrid.Layout(images, tiles, imageWidth, imageHeight, columns), scale, title);
    }

    /// <summary>Originals and their reconstructions in alternating lines: up to <paramref name="columns"/> originals, then the same rows reconstructed below them.</summary>
    public static void WriteReconstructionGrid(string path, Matrix originals, Matrix reconstructions, int imageWidth, int imageHeight, int columns = 10, int maxImages = 50, int scale = 2)
    {
        if (originals.Rows != reconstructions.Rows || originals.Columns != reconstructions.Columns)
            throw new ArgumentException($"Originals ({originals.Rows}x{originals.Columns}) and reconstructions ({reconstructions.Rows}x{reconstructions.Columns}) differ in shape.");
        if (columns < 1) throw new ArgumentException($"An image grid needs at least one column (got {columns}).");
        int count = Math.Min(originals.Rows, Math.Max(0, maxImages));
        var both = new Matrix(2 * count, originals.Columns); // originals first, then their reconstructions
        Array.Copy(originals.Data, 0, both.Data, 0, count * originals.Columns);
        Array.Copy(reconstructions.Data, 0, both.Data, count * originals.Columns, count * originals.Columns);
        var tiles = new List<int>();
        for (int start = 0; start < count; start += columns)
            for (int pass = 0; pass < 2; pass++)
                for (int c = 0; c < columns; c++) tiles.Add(start + c < count ? pass * count + start + c : -1);
        SaveGrid(path, ImageGrid.Layout(both, tiles, imageWidth, imageHeight, columns), scale, "Originals (upper lines) and reconstructions (lower lines)");
    }

    /// <summary>
    /// The two anomaly-detection pictures of an evaluation in <paramref name="directory"/>: <c>scores.EXT</c> (histograms
    /// of normal and anomalous scores with the threshold) and <c>roc.EXT</c> (the ROC curve with its AUC).
    /// </summary>
    /// <returns>The paths written, histogram first.</returns>
    public static IReadOnlyList<string> WriteAnomalyPlots(string directory, float[] normal, float[] anomalous, AnomalyThreshold? threshold,
        string scoreName = "score", string modelName = "", PlotFormat format = PlotFormat.Png)
    {
        string extension = format == PlotFormat.Svg ? ".svg" : ".png";
        string scores = Path.Combine(directory, "scores" + extension), roc = Path.Combine(directory, "roc" + extension);
        var labels = new bool[normal.Length + anomalous.Length];
        labels.AsSpan(normal.Length).Fill(true);
        WriteScoreHistogram(scores, normal, anomalous, threshold?.Value, scoreName: scoreName);
        WriteRoc(roc, [(modelName, RocCurve.Compute([.. normal, .. anomalous], labels))]);
        return [scores, roc];
    }

    /// <summary>Saves an image grid at <paramref name="scale"/> output pixels per image pixel, with a title band above.</summary>
    private static void SaveGrid(string path, double[,] grid, int scale, string title)
    {
        if (scale < 1) throw new ArgumentException($"The pixel scale must be at least 1 (got {scale}).");
        int width = grid.GetLength(1) * scale;
        Save(path, ImageGrid.Build(grid, title, width), width, grid.GetLength(0) * scale + ImageGrid.TitleHeight);
    }

    /// <summary>Renders <paramref name="plot"/> at <paramref name="width"/> x <paramref name="height"/> in the path's format and writes it atomically.</summary>
    public static void Save(string path, Plot plot, int width, int height)
    {
        var format = FormatOf(path);
        byte[] bytes = format == PlotFormat.Png
            ? plot.GetImageBytes(width, height, ImageFormat.Png)
            : System.Text.Encoding.UTF8.GetBytes(plot.GetSvgXml(width, height));
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}

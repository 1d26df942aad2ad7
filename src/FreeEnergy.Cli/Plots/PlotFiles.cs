using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Evaluation;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

namespace FreeEnergy.Cli.Plots;

/// <summary>
/// Writes the tool's pictures (training curves, image grids, score histograms, ROC curves) as PNG or SVG, chosen
/// by the file extension (.png or .svg). Everything is drawn here, with no external service or package;
/// files are written atomically (temporary file, then rename). <c>Render*</c> return the bytes instead.
/// </summary>
public static class PlotFiles
{
    /// <summary>Width of chart pictures in pixels.</summary>
    public const int ChartWidth = 800;

    /// <summary>Height of chart pictures in pixels.</summary>
    public const int ChartHeight = 500;

    /// <summary>The format a path asks for by its extension; a clear error for anything but .png and .svg.</summary>
    public static PlotFormat FormatOf(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".png" => PlotFormat.Png,
            ".svg" => PlotFormat.Svg,
            _ => throw new CliException($"Cannot tell the picture format of '{path}': use a .png or .svg file name."),
        };
    }

    /// <summary>A line chart of several series with axes, ticks, labels and a legend.</summary>
    public static void WriteLineChart(string path, IReadOnlyList<PlotSeries> series, string title, string xLabel, string yLabel) =>
        Save(path, RenderLineChart(FormatOf(path), series, title, xLabel, yLabel));

    /// <inheritdoc cref="WriteLineChart"/>
    public static byte[] RenderLineChart(PlotFormat format, IReadOnlyList<PlotSeries> series, string title, string xLabel, string yLabel)
    {
        var surface = Surface(format, ChartWidth, ChartHeight);
        LineChart.Draw(surface, series, title, xLabel, yLabel);
        return surface.Encode();
    }

    /// <summary>Training curves from the progress reports of one run: training loss and, where reported, validation loss, per epoch.</summary>
    /// <param name="path">Output file (.png or .svg).</param>
    /// <param name="history">The reports in order.</param>
    /// <param name="lossName">What the loss measures, for the y axis (e.g. "reconstruction error" or "-ELBO (nats)").</param>
    /// <param name="title">Chart title.</param>
    public static void WriteTrainingCurves(string path, IReadOnlyList<TrainingProgress> history, string lossName = "loss", string title = "Training") =>
        Save(path, RenderTrainingCurves(FormatOf(path), history, lossName, title));

    /// <inheritdoc cref="WriteTrainingCurves"/>
    public static byte[] RenderTrainingCurves(PlotFormat format, IReadOnlyList<TrainingProgress> history, string lossName = "loss", string title = "Training")
    {
        var epochs = new double[history.Count];
        var training = new double[history.Count];
        var validation = new double[history.Count];
        bool anyValidation = false;
        for (int i = 0; i < history.Count; i++)
        {
            epochs[i] = history[i].Epoch;
            training[i] = history[i].TrainingLoss;
            validation[i] = history[i].ValidationLoss;
            anyValidation |= double.IsFinite(validation[i]);
        }
        var series = new List<PlotSeries> { new("training", epochs, training) };
        if (anyValidation) series.Add(new PlotSeries("validation", epochs, validation));
        return RenderLineChart(format, series, title, "epoch", lossName);
    }

    /// <summary>
    /// A grid of grayscale images, one per row of <paramref name="images"/> (values in [0, 1], 1 = white), at most
    /// <paramref name="maxImages"/>, <paramref name="columns"/> per line (e.g. samples from a model).
    /// </summary>
    /// <param name="path">Output file (.png or .svg; the SVG embeds the PNG).</param>
    /// <param name="images">One flattened image per row, row-major pixels.</param>
    /// <param name="imageWidth">Image width in pixels (28 for MNIST).</param>
    /// <param name="imageHeight">Image height in pixels; width x height must equal the number of columns of <paramref name="images"/>.</param>
    /// <param name="columns">Images per line of the grid.</param>
    /// <param name="maxImages">Most images shown (the first rows).</param>
    /// <param name="scale">Output pixels per image pixel.</param>
    public static void WriteImageGrid(string path, Matrix images, int imageWidth, int imageHeight, int columns = 10, int maxImages = 100, int scale = 2) =>
        Save(path, RenderImageGrid(FormatOf(path), images, imageWidth, imageHeight, columns, maxImages, scale));

    /// <inheritdoc cref="WriteImageGrid"/>
    public static byte[] RenderImageGrid(PlotFormat format, Matrix images, int imageWidth, int imageHeight, int columns = 10, int maxImages = 100, int scale = 2)
    {
        int count = Math.Min(images.Rows, Math.Max(0, maxImages));
        var tiles = new int[count];
        for (int i = 0; i < count; i++) tiles[i] = i;
        return EncodeGrid(format, ImageGrid.Render(images.Data, images.Columns, tiles, imageWidth, imageHeight, columns, scale, background: 96));
    }

    /// <summary>
    /// Originals and their reconstructions in alternating lines: a line of up to <paramref name="columns"/> originals,
    /// then the same rows reconstructed below them, for up to <paramref name="maxImages"/> originals.
    /// </summary>
    /// <param name="path">Output file (.png or .svg).</param>
    /// <param name="originals">Input images, one per row, values in [0, 1].</param>
    /// <param name="reconstructions">The model's reconstructions, same shape as <paramref name="originals"/>.</param>
    /// <param name="imageWidth">Image width in pixels.</param>
    /// <param name="imageHeight">Image height in pixels.</param>
    /// <param name="columns">Images per line.</param>
    /// <param name="maxImages">Most originals shown.</param>
    /// <param name="scale">Output pixels per image pixel.</param>
    public static void WriteReconstructionGrid(string path, Matrix originals, Matrix reconstructions, int imageWidth, int imageHeight, int columns = 10, int maxImages = 50, int scale = 2) =>
        Save(path, RenderReconstructionGrid(FormatOf(path), originals, reconstructions, imageWidth, imageHeight, columns, maxImages, scale));

    /// <inheritdoc cref="WriteReconstructionGrid"/>
    public static byte[] RenderReconstructionGrid(PlotFormat format, Matrix originals, Matrix reconstructions, int imageWidth, int imageHeight, int columns = 10, int maxImages = 50, int scale = 2)
    {
        if (originals.Rows != reconstructions.Rows || originals.Columns != reconstructions.Columns)
            throw new ArgumentException($"Originals ({originals.Rows}x{originals.Columns}) and reconstructions ({reconstructions.Rows}x{reconstructions.Columns}) differ in shape.");
        if (columns < 1) throw new ArgumentException($"An image grid needs at least one column (got {columns}).");
        int count = Math.Min(originals.Rows, Math.Max(0, maxImages));
        // Stack both matrices (originals first) and lay out index lines: originals k..k+c, then the reconstructions.
        int d = originals.Columns;
        var data = new float[2 * count * d];
        Array.Copy(originals.Data, 0, data, 0, count * d);
        Array.Copy(reconstructions.Data, 0, data, count * d, count * d);
        var tiles = new List<int>();
        for (int start = 0; start < count; start += columns)
        {
            for (int pass = 0; pass < 2; pass++)
                for (int c = 0; c < columns; c++)
                    tiles.Add(start + c < count ? pass * count + start + c : -1);
        }
        return EncodeGrid(format, ImageGrid.Render(data, d, tiles, imageWidth, imageHeight, columns, scale, background: 96));
    }

    /// <summary>Overlaid, normalised histograms of the scores of normal and anomalous rows on common bins, with an optional threshold line.</summary>
    /// <param name="path">Output file (.png or .svg).</param>
    /// <param name="normal">Scores of normal rows.</param>
    /// <param name="anomalous">Scores of anomalous rows.</param>
    /// <param name="threshold">A decision threshold to mark, or null.</param>
    /// <param name="bins">Number of bins across the common range.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="scoreName">What the score is, for the x axis.</param>
    public static void WriteScoreHistogram(string path, float[] normal, float[] anomalous, double? threshold = null, int bins = 40, string title = "Anomaly scores", string scoreName = "score") =>
        Save(path, RenderScoreHistogram(FormatOf(path), normal, anomalous, threshold, bins, title, scoreName));

    /// <inheritdoc cref="WriteScoreHistogram"/>
    public static byte[] RenderScoreHistogram(PlotFormat format, float[] normal, float[] anomalous, double? threshold = null, int bins = 40, string title = "Anomaly scores", string scoreName = "score")
    {
        var surface = Surface(format, ChartWidth, ChartHeight);
        ScoreHistogram.Draw(surface, [("normal", normal), ("anomalous", anomalous)], bins, threshold, title, scoreName);
        return surface.Encode();
    }

    /// <summary>ROC curves (one per named curve, AUC in the legend) with the chance diagonal.</summary>
    public static void WriteRoc(string path, IReadOnlyList<(string Name, RocCurve Curve)> curves, string title = "ROC") =>
        Save(path, RenderRoc(FormatOf(path), curves, title));

    /// <inheritdoc cref="WriteRoc"/>
    public static byte[] RenderRoc(PlotFormat format, IReadOnlyList<(string Name, RocCurve Curve)> curves, string title = "ROC")
    {
        var surface = Surface(format, 600, 560);
        RocChart.Draw(surface, curves, title);
        return surface.Encode();
    }

    /// <summary>
    /// The two anomaly-detection pictures of an evaluation in <paramref name="directory"/>: <c>scores.EXT</c> (histograms
    /// of normal and anomalous scores with the threshold) and <c>roc.EXT</c> (the ROC curve with its AUC).
    /// </summary>
    /// <param name="directory">Created when missing.</param>
    /// <param name="normal">Scores of the normal rows.</param>
    /// <param name="anomalous">Scores of the anomalous rows.</param>
    /// <param name="threshold">The calibrated threshold to mark, or null.</param>
    /// <param name="scoreName">What the score is (e.g. "free energy (nats)").</param>
    /// <param name="modelName">Legend name of the ROC curve (e.g. the model kind).</param>
    /// <param name="format">Picture format.</param>
    /// <returns>The paths written, histogram first.</returns>
    public static IReadOnlyList<string> WriteAnomalyPlots(string directory, float[] normal, float[] anomalous, AnomalyThreshold? threshold,
        string scoreName = "score", string modelName = "", PlotFormat format = PlotFormat.Png)
    {
        string extension = format == PlotFormat.Svg ? ".svg" : ".png";
        string scores = Path.Combine(directory, "scores" + extension), roc = Path.Combine(directory, "roc" + extension);
        var all = new float[normal.Length + anomalous.Length];
        var labels = new bool[all.Length];
        normal.CopyTo(all, 0);
        anomalous.CopyTo(all, normal.Length);
        labels.AsSpan(normal.Length).Fill(true);
        var curve = RocCurve.Compute(all, labels);
        Save(scores, RenderScoreHistogram(format, normal, anomalous, threshold?.Value, title: "Anomaly scores", scoreName: scoreName));
        Save(roc, RenderRoc(format, [(modelName, curve)]));
        return [scores, roc];
    }

    /// <summary>Creates the folder when missing, then writes through <see cref="AtomicFile"/> (temporary file and rename).</summary>
    private static void Save(string path, byte[] bytes)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    private static IPlotSurface Surface(PlotFormat format, int width, int height) =>
        format == PlotFormat.Svg ? new SvgSurface(width, height) : new RasterSurface(width, height);

    private static byte[] EncodeGrid(PlotFormat format, (int Width, int Height, byte[] Pixels) grid)
    {
        byte[] png = PngEncoder.EncodeGray(grid.Width, grid.Height, grid.Pixels);
        if (format == PlotFormat.Png) return png;
        var svg = new SvgSurface(grid.Width, grid.Height);
        svg.Image(0, 0, grid.Width, grid.Height, png);
        return svg.Encode();
    }
}

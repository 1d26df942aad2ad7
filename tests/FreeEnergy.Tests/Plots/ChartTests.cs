using System.Buffers.Binary;
using System.Globalization;
using System.Xml.Linq;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Cli.Plots;
using FreeEnergy.Evaluation;
using FreeEnergy.Tensors;
using FreeEnergy.Training;
using ScottPlot;
using ScottPlot.Plottables;

namespace FreeEnergy.Tests.Plots;

/// <summary>The ScottPlot pictures: the series plotted are the data given (read back from the Plot objects), files are valid PNG/SVG of the stated size.</summary>
public class ChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static List<TrainingProgress> History() =>
        Enumerable.Range(1, 20).Select(e => new TrainingProgress(e, 20, 50.0 / (e + 1) + 3, e % 7 == 0 ? double.NaN : 55.0 / (e + 1) + 4, double.NaN, e * 0.5)).ToList();

    private static RocCurve Roc(int seed, double shift)
    {
        var random = new Random(seed);
        var scores = new float[400];
        var labels = new bool[400];
        for (int i = 0; i < scores.Length; i++)
        {
            labels[i] = i % 4 == 0;
            scores[i] = (float)(random.NextDouble() + (labels[i] ? shift : 0));
        }
        return RocCurve.Compute(scores, labels);
    }

    private static (float[] Normal, float[] Anomalous) Scores()
    {
        var random = new Random(3);
        float Gaussian() => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return (Enumerable.Range(0, 900).Select(_ => 60 + 8 * Gaussian()).ToArray(), Enumerable.Range(0, 300).Select(_ => 85 + 12 * Gaussian()).ToArray());
    }

    private static Matrix Digits(int count)
    {
        // Simple synthetic 28x28 images: a bright ring whose radius grows with the index, plus a gradient.
        var m = new Matrix(count, 784);
        for (int k = 0; k < count; k++)
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    double r = Math.Sqrt((x - 13.5) * (x - 13.5) + (y - 13.5) * (y - 13.5));
                    m[k, y * 28 + x] = Math.Abs(r - (3 + k % 10)) < 1.5 ? 1f : y < 4 ? 0.8f : x / 27f * 0.3f;
                }
        return m;
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10 }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    private static XDocument ParseSvg(string path)
    {
        var doc = XDocument.Load(path);
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        return doc;
    }

    private static Coordinates[] Points(Scatter s) => s.Data.GetScatterPoints().ToArray();

    private static (string Title, string X, string Y) Labels(Plot plot) => (plot.Axes.Title.Label.Text, plot.Axes.Bottom.Label.Text, plot.Axes.Left.Label.Text);

    [Fact]
    public void Training_curves_plot_the_losses_per_epoch_with_gaps_for_missing_validation()
    {
        var history = History();
        var plot = Charts.TrainingCurves(history, "-ELBO (nats)", "VAE training");
        Assert.Equal(("VAE training", "epoch", "-ELBO (nats)"), Labels(plot));
        var lines = plot.GetPlottables<Scatter>().ToList();
        Assert.Equal(["training", "validation"], lines.Select(l => l.LegendText));
        Assert.Equal(history.Select(h => new Coordinates(h.Epoch, h.TrainingLoss)), Points(lines[0]));
        Assert.Equal(history.Select(h => h.ValidationLoss), Points(lines[1]).Select(p => p.Y)); // NaN at epochs 7 and 14 breaks the line
        Assert.Single(Charts.TrainingCurves(history.Select(h => h with { ValidationLoss = double.NaN }).ToList()).GetPlottables<Scatter>());
        Assert.Throws<ArgumentException>(() => Charts.Lines([new PlotSeries("a", [1, 2], [1])], "", "", ""));
    }

    [Fact]
    public void Roc_plot_has_each_curve_with_its_auc_and_the_chance_diagonal()
    {
        var good = Roc(1, 0.8);
        var weak = Roc(2, 0.2);
        var plot = Charts.Roc([("rbm", good), ("vae", weak)]);
        var lines = plot.GetPlottables<Scatter>().ToList();
        Assert.Equal([$"rbm (AUC = {good.Auc.ToString("F4", CultureInfo.InvariantCulture)})", $"vae (AUC = {weak.Auc.ToString("F4", CultureInfo.InvariantCulture)})"], lines.Select(l => l.LegendText));
        Assert.Equal(good.FalsePositiveRates.Zip(good.TruePositiveRates, (x, y) => new Coordinates(x, y)), Points(lines[0]));
        var chance = Assert.Single(plot.GetPlottables<LinePlot>());
        Assert.Equal((new Coordinates(0, 0), new Coordinates(1, 1)), (chance.Start, chance.End));
        Assert.Equal("false positive rate (fraction of normal rows)", Labels(plot).X);
    }

    [Fact]
    public void Histogram_bars_are_the_fractions_of_each_set_on_common_bins_with_the_threshold()
    {
        var (normal, anomalous) = Scores();
        var plot = ScoreHistogram.Build([("normal", normal), ("anomalous", anomalous)], bins: 30, threshold: 75, scoreName: "free energy (nats)");
        Assert.Equal(("Anomaly scores", "free energy (nats)", "fraction of rows"), Labels(plot));
        var sets = plot.GetPlottables<BarPlot>().ToList();
        Assert.Equal(["normal (n=900)", "anomalous (n=300)"], sets.Select(b => b.LegendText));
        double min = normal.Concat(anomalous).Min(), width = (normal.Concat(anomalous).Max() - min) / 30;
        foreach (var (bars, scores) in sets.Zip(new[] { normal, anomalous }))
        {
            Assert.Equal(30, bars.Bars.Count());
            Assert.Equal(1.0, bars.Bars.Sum(b => b.Value), 9);
            var first = bars.Bars.First();
            Assert.Equal(min + width / 2, first.Position, 3);
            Assert.Equal(scores.Count(s => s < min + width) / (double)scores.Length, first.Value, 9);
        }
        var threshold = Assert.Single(plot.GetPlottables<VerticalLine>());
        Assert.Equal((75.0, "threshold 75"), (threshold.X, threshold.LegendText));
    }

    [Fact]
    public void Histogram_survives_degenerate_scores_and_clips_far_outliers_into_the_end_bins()
    {
        Assert.Equal(2, ScoreHistogram.Build([("a", [5f, 5f, float.NaN]), ("b", [5f, float.PositiveInfinity])]).GetPlottables<BarPlot>().Count());
        Assert.Equal(2, ScoreHistogram.Build([("a", []), ("b", [])]).GetPlottables<BarPlot>().Count());
        var (normal, anomalous) = Scores();
        var (min, _, clipped) = ScoreHistogram.Range([("normal", normal), ("anomalous", anomalous)]);
        Assert.False(clipped);
        Assert.Equal(normal.Concat(anomalous).Min(), min);
        var withOutlier = anomalous.Append(1e7f).ToArray();
        (_, var max, clipped) = ScoreHistogram.Range([("normal", normal), ("anomalous", withOutlier)]);
        Assert.True(clipped);
        Assert.InRange(max, 80, 200);
        var plot = ScoreHistogram.Build([("normal", normal), ("anomalous", withOutlier)], scoreName: "free energy");
        Assert.Equal("free energy (outliers in the end bins)", Labels(plot).X);
        Assert.Equal(1.0, plot.GetPlottables<BarPlot>().Last().Bars.Sum(b => b.Value), 9);
    }

    [Fact]
    public void Image_grid_places_every_image_and_the_heatmap_shows_that_grid()
    {
        var digits = Digits(23);
        var grid = ImageGrid.Layout(digits, Enumerable.Range(0, 23).ToArray(), 28, 28, 10);
        int tile = 28 + ImageGrid.Gap;
        Assert.Equal((3 * tile + ImageGrid.Gap, 10 * tile + ImageGrid.Gap), (grid.GetLength(0), grid.GetLength(1)));
        for (int k = 0; k < digits.Rows; k++)
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                    Assert.Equal(digits[k, y * 28 + x], grid[ImageGrid.Gap + k / 10 * tile + y, ImageGrid.Gap + k % 10 * tile + x], 6);
        Assert.Equal(ImageGrid.Background, grid[0, 0]);
        Assert.Equal(ImageGrid.Background, grid[ImageGrid.Gap + 2 * tile + 5, ImageGrid.Gap + 5 * tile + 5]); // empty tile after the 23rd
        var heatmap = Assert.Single(ImageGrid.Build(grid, "Samples", 2 * grid.GetLength(1)).GetPlottables<Heatmap>());
        Assert.Same(grid, heatmap.Intensities);
        Assert.Throws<ArgumentException>(() => ImageGrid.Layout(digits, [0], 28, 27, 10));
    }

    [Fact]
    public void Image_grid_title_shrinks_to_fit_a_narrow_grid_and_keeps_its_size_on_a_wide_one()
    {
        var grid = ImageGrid.Layout(Digits(4), [0, 1, 2, 3], 28, 28, 10);
        float standard = new Plot().Axes.Title.Label.FontSize;
        const string title = "4 samples from a hierarchical-vae model, z1 drawn from p(z1|z2)";
        float narrow = ImageGrid.Build(grid, title, 234).Axes.Title.Label.FontSize;
        Assert.True(narrow < standard, $"{narrow} vs {standard}");
        Assert.True(narrow * 0.6 * title.Length <= 234, $"a {narrow}-point title of {title.Length} characters overflows 234 pixels");
        Assert.Equal(standard, ImageGrid.Build(grid, "Samples", 582).Axes.Title.Label.FontSize);
    }

    [Fact]
    public void Files_are_valid_png_of_the_stated_size_or_svg_written_atomically()
    {
        using var dir = new FreeEnergy.Tests.Data.TempDirectory();
        var (normal, anomalous) = Scores();
        PlotFiles.WriteTrainingCurves(dir.File("training.png"), History(), "reconstruction error");
        Assert.Equal((PlotFiles.ChartWidth, PlotFiles.ChartHeight), PngSize(dir.File("training.png")));
        PlotFiles.WriteRoc(dir.File("roc.png"), [("m", Roc(4, 0.5))]);
        Assert.Equal((PlotFiles.RocSize, PlotFiles.RocSize), PngSize(dir.File("roc.png")));
        PlotFiles.WriteScoreHistogram(dir.File("scores.png"), normal, anomalous, 75);
        Assert.Equal((PlotFiles.ChartWidth, PlotFiles.ChartHeight), PngSize(dir.File("scores.png")));
        PlotFiles.WriteImageGrid(dir.File("sub/grid.png"), Digits(4), 28, 28);
        PlotFiles.WriteImageGrid(dir.File("sub/grid.png"), Digits(7), 28, 28, scale: 3); // replaces
        Assert.Equal((3 * (7 * 29 + 1), 3 * 30 + ImageGrid.TitleHeight), PngSize(dir.File("sub/grid.png")));
        PlotFiles.WriteReconstructionGrid(dir.File("recon.png"), Digits(12), Digits(12), 28, 28, columns: 5, scale: 1);
        Assert.Equal((5 * 29 + 1, 6 * 29 + 1 + ImageGrid.TitleHeight), PngSize(dir.File("recon.png")));
        Assert.Throws<ArgumentException>(() => PlotFiles.WriteReconstructionGrid(dir.File("bad.png"), Digits(12), new Matrix(11, 784), 28, 28));

        var paths = PlotFiles.WriteAnomalyPlots(dir.File("anomaly"), normal, anomalous, AnomalyThreshold.FromFalsePositiveRate(normal, 0.05), "free energy", "rbm", PlotFormat.Svg);
        Assert.Equal([dir.File("anomaly/scores.svg"), dir.File("anomaly/roc.svg")], paths);
        foreach (var p in paths) ParseSvg(p);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));
        Assert.Throws<CliException>(() => PlotFiles.WriteRoc(dir.File("roc.jpg"), [("m", Roc(4, 0.5))]));
        Assert.False(File.Exists(dir.File("roc.jpg")));
    }

    /// <summary>Writes every kind of picture into $FREEENERGY_PLOT_SAMPLES (when set) for a look by eye.</summary>
    [Fact]
    public void WritesSamplesForInspectionWhenAsked()
    {
        string? dir = Environment.GetEnvironmentVariable("FREEENERGY_PLOT_SAMPLES");
        if (string.IsNullOrEmpty(dir)) return;
        var (normal, anomalous) = Scores();
        foreach (var ext in new[] { "png", "svg" })
        {
            PlotFiles.WriteTrainingCurves(Path.Combine(dir, $"training.{ext}"), History(), "reconstruction error", "RBM training");
            PlotFiles.WriteRoc(Path.Combine(dir, $"roc.{ext}"), [("rbm", Roc(1, 0.8)), ("vae", Roc(2, 0.3))]);
            PlotFiles.WriteScoreHistogram(Path.Combine(dir, $"scores.{ext}"), normal, anomalous, threshold: 75, title: "Free energy", scoreName: "free energy (nats)");
            PlotFiles.WriteImageGrid(Path.Combine(dir, $"grid.{ext}"), Digits(100), 28, 28);
            PlotFiles.WriteReconstructionGrid(Path.Combine(dir, $"reconstruction.{ext}"), Digits(10), Digits(10), 28, 28);
        }
    }
}

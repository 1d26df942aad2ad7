using System.Xml.Linq;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Cli.Plots;
using FreeEnergy.Evaluation;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Plots;

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
                    m[k, y * 28 + x] = Math.Abs(r - (3 + k % 10)) < 1.5 ? 1f : x / 27f * 0.3f;
                }
        return m;
    }

    private static int CountColor(PngReader.Image image, PlotColor color)
    {
        int count = 0;
        for (int i = 0; i < image.Pixels.Length; i += 3)
            if (image.Pixels[i] == color.R && image.Pixels[i + 1] == color.G && image.Pixels[i + 2] == color.B) count++;
        return count;
    }

    private static XDocument ParseSvg(byte[] bytes)
    {
        var doc = XDocument.Parse(System.Text.Encoding.UTF8.GetString(bytes));
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        return doc;
    }

    private static List<string> Texts(XDocument doc) => doc.Descendants(Svg + "text").Select(t => t.Value).ToList();

    [Fact]
    public void TrainingCurvesPngHasBothSeriesAndText()
    {
        var image = PngReader.Decode(PlotFiles.RenderTrainingCurves(PlotFormat.Png, History(), "loss", "Training"));
        Assert.Equal((PlotFiles.ChartWidth, PlotFiles.ChartHeight, 3), (image.Width, image.Height, image.Channels));
        Assert.True(CountColor(image, PlotColor.Series(0)) > 200);
        Assert.True(CountColor(image, PlotColor.Series(1)) > 200);
        Assert.True(CountColor(image, PlotColor.Black) > 500); // axes, ticks and bitmap-font text
    }

    [Fact]
    public void TrainingCurvesSvgHasTicksLegendAndBrokenValidationLine()
    {
        var doc = ParseSvg(PlotFiles.RenderTrainingCurves(PlotFormat.Svg, History(), "-ELBO (nats)", "VAE <training> & more"));
        var texts = Texts(doc);
        Assert.Contains("VAE <training> & more", texts);
        Assert.Contains("epoch", texts);
        Assert.Contains("-ELBO (nats)", texts);
        Assert.Contains("training", texts);
        Assert.Contains("validation", texts);
        Assert.Contains("20", texts); // last epoch tick
        // The training line is one polyline; validation breaks at epochs 7 and 14 into three.
        Assert.Equal(4, doc.Descendants(Svg + "polyline").Count());
    }

    [Fact]
    public void LineChartRejectsMismatchedSeries()
    {
        Assert.Throws<ArgumentException>(() => PlotFiles.RenderLineChart(PlotFormat.Svg, [new PlotSeries("a", [1, 2], [1])], "", "", ""));
    }

    [Fact]
    public void RocChartShowsAucAndDiagonal()
    {
        var good = Roc(1, 0.8);
        var weak = Roc(2, 0.2);
        var doc = ParseSvg(PlotFiles.RenderRoc(PlotFormat.Svg, [("rbm", good), ("vae", weak)]));
        var texts = Texts(doc);
        Assert.Contains($"rbm (AUC = {good.Auc.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)})", texts);
        Assert.Contains(texts, t => t.StartsWith("vae (AUC = ", StringComparison.Ordinal));
        Assert.Contains("false positive rate", texts);
        Assert.Contains(doc.Descendants(Svg + "line"), l => l.Attribute("stroke-dasharray") is not null);
        Assert.Equal(2, doc.Descendants(Svg + "polyline").Count());

        var image = PngReader.Decode(PlotFiles.RenderRoc(PlotFormat.Png, [("rbm", good)]));
        Assert.True(CountColor(image, PlotColor.Series(0)) > 300);
        Assert.True(CountColor(image, PlotColor.Grey) > 100);
    }

    [Fact]
    public void HistogramOverlaysBothSetsWithThreshold()
    {
        var (normal, anomalous) = Scores();
        var doc = ParseSvg(PlotFiles.RenderScoreHistogram(PlotFormat.Svg, normal, anomalous, threshold: 75, bins: 30));
        var texts = Texts(doc);
        Assert.Contains("normal (n=900)", texts);
        Assert.Contains("anomalous (n=300)", texts);
        Assert.Contains("threshold 75", texts);
        var bars = doc.Descendants(Svg + "rect").Where(r => r.Attribute("fill-opacity")?.Value == "0.5").ToList();
        Assert.InRange(bars.Count, 20, 60);

        var image = PngReader.Decode(PlotFiles.RenderScoreHistogram(PlotFormat.Png, normal, anomalous, threshold: 75));
        Assert.Equal(PlotFiles.ChartWidth, image.Width);
    }

    [Fact]
    public void HistogramSurvivesDegenerateScores()
    {
        var image = PngReader.Decode(PlotFiles.RenderScoreHistogram(PlotFormat.Png, [5f, 5f, float.NaN], [5f, float.PositiveInfinity]));
        Assert.Equal(PlotFiles.ChartHeight, image.Height);
        ParseSvg(PlotFiles.RenderScoreHistogram(PlotFormat.Svg, [], []));
    }

    [Fact]
    public void HistogramClipsFarOutliersIntoTheEndBins()
    {
        var (normal, anomalous) = Scores();
        var (min, max, clipped) = ScoreHistogram.Range([("normal", normal), ("anomalous", anomalous)]);
        Assert.False(clipped);
        Assert.Equal(normal.Concat(anomalous).Min(), min);
        var withOutlier = anomalous.Append(1e7f).ToArray();
        (min, max, clipped) = ScoreHistogram.Range([("normal", normal), ("anomalous", withOutlier)]);
        Assert.True(clipped);
        Assert.InRange(max, 80, 200);
        var texts = Texts(ParseSvg(PlotFiles.RenderScoreHistogram(PlotFormat.Svg, normal, withOutlier, scoreName: "free energy")));
        Assert.Contains("free energy (outliers in the end bins)", texts);
        Assert.Contains("anomalous (n=301)", texts);
    }

    [Fact]
    public void AnomalyPlotsWriteHistogramAndRoc()
    {
        var (normal, anomalous) = Scores();
        string dir = Path.Combine(Path.GetTempPath(), "freeenergy-plots-" + Guid.NewGuid().ToString("N"));
        try
        {
            var threshold = AnomalyThreshold.FromFalsePositiveRate(normal, 0.05);
            var paths = PlotFiles.WriteAnomalyPlots(dir, normal, anomalous, threshold, "free energy", "rbm", PlotFormat.Svg);
            Assert.Equal([Path.Combine(dir, "scores.svg"), Path.Combine(dir, "roc.svg")], paths);
            var auc = RocCurve.AreaUnderCurve([.. normal, .. anomalous], [.. normal.Select(_ => false), .. anomalous.Select(_ => true)]);
            var rocTexts = Texts(ParseSvg(File.ReadAllBytes(paths[1])));
            Assert.Contains($"rbm (AUC = {auc.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)})", rocTexts);
            Assert.Contains(Texts(ParseSvg(File.ReadAllBytes(paths[0]))), t => t.StartsWith("threshold ", StringComparison.Ordinal));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ImageGridPlacesEveryImagePixel()
    {
        var digits = Digits(23);
        int scale = 2, columns = 10;
        var image = PngReader.Decode(PlotFiles.RenderImageGrid(PlotFormat.Png, digits, 28, 28, columns, maxImages: 100, scale: scale));
        int tile = 28 * scale + ImageGrid.Gap;
        Assert.Equal((columns * tile + ImageGrid.Gap, 3 * tile + ImageGrid.Gap, 1), (image.Width, image.Height, image.Channels));
        for (int k = 0; k < digits.Rows; k += 5)
            for (int y = 0; y < 28; y += 3)
                for (int x = 0; x < 28; x += 2)
                {
                    int px = ImageGrid.Gap + (k % columns) * tile + x * scale + 1, py = ImageGrid.Gap + (k / columns) * tile + y * scale + 1;
                    Assert.Equal((byte)Math.Round(digits[k, y * 28 + x] * 255f), image.Pixels[py * image.Width + px]);
                }
        var svg = ParseSvg(PlotFiles.RenderImageGrid(PlotFormat.Svg, digits, 28, 28));
        var embedded = svg.Descendants(Svg + "image").Single().Attribute("href")!.Value;
        Assert.StartsWith("data:image/png;base64,", embedded);
        Assert.Equal(image.Pixels, PngReader.Decode(Convert.FromBase64String(embedded["data:image/png;base64,".Length..])).Pixels);
    }

    [Fact]
    public void ReconstructionGridAlternatesOriginalAndReconstructedLines()
    {
        var originals = Digits(12);
        var reconstructions = new Matrix(12, 784);
        for (int i = 0; i < reconstructions.Data.Length; i++) reconstructions.Data[i] = 1 - originals.Data[i];
        var image = PngReader.Decode(PlotFiles.RenderReconstructionGrid(PlotFormat.Png, originals, reconstructions, 28, 28, columns: 5, scale: 1));
        int tile = 28 + ImageGrid.Gap;
        Assert.Equal(6 * tile + ImageGrid.Gap, image.Height); // 3 lines of originals, each followed by reconstructions
        for (int k = 0; k < 12; k++)
        {
            int x = ImageGrid.Gap + (k % 5) * tile + 13, lineY = ImageGrid.Gap + 2 * (k / 5) * tile + 13;
            Assert.Equal((byte)Math.Round(originals[k, 13 * 28 + 13] * 255f), image.Pixels[lineY * image.Width + x]);
            Assert.Equal((byte)Math.Round(reconstructions[k, 13 * 28 + 13] * 255f), image.Pixels[(lineY + tile) * image.Width + x]);
        }
        Assert.Throws<ArgumentException>(() => PlotFiles.RenderReconstructionGrid(PlotFormat.Png, originals, new Matrix(11, 784), 28, 28));
        Assert.Throws<ArgumentException>(() => PlotFiles.RenderImageGrid(PlotFormat.Png, originals, 28, 27));
    }

    [Fact]
    public void FilesAreWrittenAtomicallyByExtension()
    {
        string dir = Path.Combine(Path.GetTempPath(), "freeenergy-plots-" + Guid.NewGuid().ToString("N"));
        try
        {
            PlotFiles.WriteRoc(Path.Combine(dir, "roc.svg"), [("m", Roc(4, 0.5))]);
            PlotFiles.WriteImageGrid(Path.Combine(dir, "sub", "grid.png"), Digits(4), 28, 28);
            PlotFiles.WriteImageGrid(Path.Combine(dir, "sub", "grid.png"), Digits(7), 28, 28); // replaces
            ParseSvg(File.ReadAllBytes(Path.Combine(dir, "roc.svg")));
            Assert.Equal(7 * (56 + ImageGrid.Gap) + ImageGrid.Gap, PngReader.Decode(File.ReadAllBytes(Path.Combine(dir, "sub", "grid.png"))).Width);
            Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
            Assert.Throws<CliException>(() => PlotFiles.WriteRoc(Path.Combine(dir, "roc.jpg"), [("m", Roc(4, 0.5))]));
            Assert.False(File.Exists(Path.Combine(dir, "roc.jpg")));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
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
        }
    }
}

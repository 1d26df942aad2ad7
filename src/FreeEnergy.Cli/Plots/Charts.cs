using System.Globalization;
using FreeEnergy.Evaluation;
using FreeEnergy.Training;
using ScottPlot;

namespace FreeEnergy.Cli.Plots;

/// <summary>The line charts: any named series, training curves per epoch, and ROC curves with their AUC in the legend.</summary>
public static class Charts
{
    /// <summary>A line chart of <paramref name="series"/> with a title, axis labels and a legend; non-finite points break a line.</summary>
    public static Plot Lines(IReadOnlyList<PlotSeries> series, string title, string xLabel, string yLabel)
    {
        var plot = Titled(title, xLabel, yLabel);
        foreach (var s in series)
        {
            if (s.X.Count != s.Y.Count) throw new ArgumentException($"Series '{s.Name}' has {s.X.Count} x values but {s.Y.Count} y values.");
            var line = plot.Add.ScatterLine(s.X.ToArray(), s.Y.Select(y => double.IsFinite(y) ? y : double.NaN).ToArray());
            line.LegendText = s.Name;
            line.LineWidth = 2;
            line.MarkerSize = 0;
        }
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>Training loss and, where reported, validation loss per epoch.</summary>
    /// <param name="history">The progress reports of one run, in order.</param>
    /// <param name="lossName">What the loss measures, with its unit (e.g. "-ELBO (nats)").</param>
    /// <param name="title">Chart title.</param>
    public static Plot TrainingCurves(IReadOnlyList<TrainingProgress> history, string lossName = "loss", string title = "Training")
    {
        double[] epochs = history.Select(p => (double)p.Epoch).ToArray();
        var series = new List<PlotSeries> { new("training", epochs, history.Select(p => p.TrainingLoss).ToArray()) };
        if (history.Any(p => double.IsFinite(p.ValidationLoss))) series.Add(new PlotSeries("validation", epochs, history.Select(p => p.ValidationLoss).ToArray()));
        var plot = Lines(series, title, "epoch", lossName);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        return plot;
    }

    /// <summary>ROC curves, one per named curve with its AUC in the legend, and the dashed chance diagonal.</summary>
    public static Plot Roc(IReadOnlyList<(string Name, RocCurve Curve)> curves, string title = "ROC")
    {
        var series = curves.Select(c => new PlotSeries(
            string.Create(CultureInfo.InvariantCulture, $"{(c.Name.Length == 0 ? "model" : c.Name)} (AUC = {c.Curve.Auc:F4})"), c.Curve.FalsePositiveRates, c.Curve.TruePositiveRates)).ToList();
        var plot = Lines(series, title, "false positive rate (fraction of normal rows)", "true positive rate (fraction of anomalies)");
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LinePattern = LinePattern.Dashed;
        chance.Color = Colors.Gray;
        chance.LegendText = "chance";
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    /// <summary>An empty plot with its title and axis labels.</summary>
    internal static Plot Titled(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }
}

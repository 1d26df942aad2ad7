using System.Globalization;
using FreeEnergy.Evaluation;

namespace FreeEnergy.Cli.Plots;

/// <summary>ROC curves with their AUC in the legend and the chance diagonal for reference.</summary>
internal static class RocChart
{
    public static void Draw(IPlotSurface surface, IReadOnlyList<(string Name, RocCurve Curve)> curves, string title)
    {
        var frame = new ChartFrame(surface, title, "false positive rate", "true positive rate", 0, 1, 0, 1, expandToTicks: false);
        surface.Line(frame.X.Map(0), frame.Y.Map(0), frame.X.Map(1), frame.Y.Map(1), PlotColor.Grey, 1.5, dashed: true);
        var legend = new List<(string, PlotColor, bool)>();
        for (int k = 0; k < curves.Count; k++)
        {
            var (name, curve) = curves[k];
            var color = PlotColor.Series(k);
            var fpr = curve.FalsePositiveRates;
            var tpr = curve.TruePositiveRates;
            var points = new List<(double X, double Y)>();
            for (int i = 0; i < fpr.Count; i++)
            {
                // Inside a vertical or horizontal run the middle points add nothing: keep the corners only.
                bool inRun = i > 0 && i + 1 < fpr.Count
                    && ((fpr[i - 1] == fpr[i] && fpr[i] == fpr[i + 1]) || (tpr[i - 1] == tpr[i] && tpr[i] == tpr[i + 1]));
                if (!inRun) points.Add((frame.X.Map(fpr[i]), frame.Y.Map(tpr[i])));
            }
            surface.Polyline(points, color, 2.5);
            string label = string.IsNullOrEmpty(name) ? "" : name + " ";
            legend.Add((string.Create(CultureInfo.InvariantCulture, $"{label}(AUC = {curve.Auc:F4})"), color, false));
        }
        legend.Add(("chance (AUC = 0.5)", PlotColor.Grey, false));
        frame.Legend(legend, bottomRight: true);
    }
}

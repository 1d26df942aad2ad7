using System.Globalization;
using System.Text;
using FreeEnergy.Training;

namespace FreeEnergy.Cli.Infrastructure;

/// <summary>The words of one progress report, shared by the plain and live displays (invariant culture).</summary>
internal static class ProgressText
{
    /// <summary>"epoch 3/20  loss 12.3456  validation 13.0123  gap 0.4210" (absent measures left out).</summary>
    public static string Measures(TrainingProgress p)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.Epochs}  loss {Number(p.TrainingLoss)}");
        if (double.IsFinite(p.ValidationLoss)) text.Append(CultureInfo.InvariantCulture, $"  validation {Number(p.ValidationLoss)}");
        if (double.IsFinite(p.FreeEnergyGap)) text.Append(CultureInfo.InvariantCulture, $"  gap {Number(p.FreeEnergyGap)}");
        return text.ToString();
    }

    /// <summary>"12.3 s" elapsed and, when it can be told, "eta 40 s".</summary>
    public static string Timing(TrainingProgress p)
    {
        string elapsed = Duration(p.Seconds);
        string? eta = Eta(p);
        return eta is null ? elapsed : $"{elapsed}  {eta}";
    }

    /// <summary>"eta 40 s" from the mean epoch time so far, or null before the first epoch and after the last.</summary>
    public static string? Eta(TrainingProgress p)
    {
        if (p.Epoch <= 0 || p.Epoch >= p.Epochs || !(p.Seconds > 0)) return null;
        return "eta " + Duration(p.Seconds / p.Epoch * (p.Epochs - p.Epoch));
    }

    public static string Number(double value) =>
        double.IsNaN(value) ? "nan" : Math.Abs(value) >= 1e5 || (value != 0 && Math.Abs(value) < 1e-3)
            ? value.ToString("0.####e+0", CultureInfo.InvariantCulture)
            : value.ToString("0.0000", CultureInfo.InvariantCulture);

    public static string Duration(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0) return "?";
        if (seconds < 60) return seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
        var span = TimeSpan.FromSeconds(Math.Round(seconds));
        return span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h{span.Minutes:00}m")
            : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}m{span.Seconds:00}s");
    }
}

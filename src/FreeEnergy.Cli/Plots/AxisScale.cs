using System.Globalization;

namespace FreeEnergy.Cli.Plots;

/// <summary>A linear map from a data interval to a pixel interval, with "nice" tick values (1, 2, 5 x 10^k).</summary>
internal sealed class AxisScale
{
    public AxisScale(double min, double max, double pixelFrom, double pixelTo, int targetTicks = 6, bool expandToTicks = true)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) { min = 0; max = 1; }
        if (max < min) (min, max) = (max, min);
        if (max == min)
        {
            double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            min -= pad;
            max += pad;
        }
        Step = NiceStep((max - min) / Math.Max(1, targetTicks - 1));
        if (expandToTicks)
        {
            // Outermost multiples of the step around the data, exactly covering it despite rounding.
            double low = Math.Floor(min / Step), high = Math.Ceiling(max / Step);
            while (low * Step > min) low--;
            while ((low + 1) * Step <= min) low++;
            while (high * Step < max) high++;
            while ((high - 1) * Step >= max) high--;
            min = low * Step;
            max = high * Step;
        }
        Min = min;
        Max = max;
        PixelFrom = pixelFrom;
        PixelTo = pixelTo;
    }

    public double Min { get; }
    public double Max { get; }
    public double Step { get; }
    public double PixelFrom { get; }
    public double PixelTo { get; }

    public double Map(double value) => PixelFrom + (value - Min) / (Max - Min) * (PixelTo - PixelFrom);

    /// <summary>The multiples of <see cref="Step"/> inside [Min, Max].</summary>
    public IReadOnlyList<double> Ticks()
    {
        var ticks = new List<double>();
        double first = Math.Ceiling(Min / Step - 1e-9);
        for (double k = first; k * Step <= Max + Step * 1e-9 && ticks.Count < 100; k++)
        {
            double tick = k * Step;
            ticks.Add(Math.Abs(tick) < Step * 1e-9 ? 0 : tick);
        }
        return ticks;
    }

    /// <summary>A tick label: as many decimals as the step needs, exponent notation for very large or small values.</summary>
    public string Label(double value)
    {
        double magnitude = Math.Max(Math.Abs(Min), Math.Abs(Max));
        if (magnitude >= 1e6 || (magnitude < 1e-3 && magnitude > 0))
            return value.ToString("0.##e+0", CultureInfo.InvariantCulture);
        // The fewest decimals that show every multiple of the step exactly (2.5 x 10^-2 needs three).
        int decimals = 0;
        while (decimals < 8 && Math.Abs(Step * Math.Pow(10, decimals) - Math.Round(Step * Math.Pow(10, decimals))) > 1e-6 * Step * Math.Pow(10, decimals)) decimals++;
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>The nice number (1, 2, 2.5 or 5 times a power of ten) nearest above <paramref name="rough"/>.</summary>
    public static double NiceStep(double rough)
    {
        if (!(rough > 0) || !double.IsFinite(rough)) return 1;
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double fraction = rough / power;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
        return nice * power;
    }
}

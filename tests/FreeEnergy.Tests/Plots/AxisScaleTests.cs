using FreeEnergy.Cli.Plots;

namespace FreeEnergy.Tests.Plots;

public class AxisScaleTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(-3.7, 12.2)]
    [InlineData(1e-5, 3e-5)]
    [InlineData(123456.0, 9876543.0)]
    [InlineData(5.0, 5.0)]
    [InlineData(-0.013, -0.001)]
    [InlineData(0.0, 0.112)]
    [InlineData(0.3, 0.36)]
    public void TicksAreNiceAndCoverTheData(double min, double max)
    {
        var axis = new AxisScale(min, max, 100, 500);
        Assert.True(axis.Min <= min && axis.Max >= max);
        var ticks = axis.Ticks();
        Assert.InRange(ticks.Count, 3, 12);
        double mantissa = axis.Step / Math.Pow(10, Math.Floor(Math.Log10(axis.Step)));
        Assert.Contains(Math.Round(mantissa, 9), new[] { 1.0, 2.0, 2.5, 5.0 });
        foreach (double t in ticks)
        {
            Assert.InRange(axis.Map(t), 100 - 1e-6, 500 + 1e-6);
            Assert.Equal(0.0, Math.Abs(t / axis.Step - Math.Round(t / axis.Step)), 6);
        }
        // Labels read back as the tick values.
        foreach (double t in ticks)
            Assert.Equal(t, double.Parse(axis.Label(t), System.Globalization.CultureInfo.InvariantCulture), axis.Step * 1e-3);
        Assert.Equal(100.0, axis.Map(axis.Min), 9);
        Assert.Equal(500.0, axis.Map(axis.Max), 9);
    }

    [Fact]
    public void NonFiniteRangesFallBackToUnitInterval()
    {
        var axis = new AxisScale(double.PositiveInfinity, double.NegativeInfinity, 0, 10);
        Assert.Equal(0.0, axis.Min);
        Assert.Equal(1.0, axis.Max);
    }

    [Fact]
    public void FontCoversDigitsLettersAndPunctuation()
    {
        var seen = new HashSet<string>();
        foreach (char c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+()=/%")
        {
            var rows = BitmapFont.Glyph(c).ToArray();
            Assert.Equal(BitmapFont.GlyphHeight, rows.Length);
            Assert.All(rows, r => Assert.True(r < 32));
            Assert.True(seen.Add(Convert.ToHexString(rows)), $"glyph of '{c}' duplicates another");
        }
        Assert.Equal(BitmapFont.Glyph('A').ToArray(), BitmapFont.Glyph('a').ToArray());
        Assert.Equal(3 * BitmapFont.Advance - 1, BitmapFont.Width("abc"));
    }
}

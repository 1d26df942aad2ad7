using System.Globalization;
using FreeEnergy.Data;

namespace FreeEnergy.Tests.Data;

public class CsvNumberTests
{
    [Fact]
    public void AgreesBitForBitWithFloatParse()
    {
        var random = new Random(31);
        var cells = new List<string> { "0", "-0", "+7", "1.", "0.1", "16777215", "16777216", "1.0000001", "0.0000000001", "123456.7", "-0.33333334", "255", ".5", "00012.50" };
        for (int i = 0; i < 20000; i++)
        {
            int digits = 1 + random.Next(9);
            long mantissa = random.NextInt64((long)Math.Pow(10, digits));
            string text = mantissa.ToString(CultureInfo.InvariantCulture);
            int point = random.Next(text.Length + 2);
            if (point < text.Length) text = text.Insert(point, ".");
            if (random.Next(4) == 0) text = "-" + text;
            cells.Add(text);
        }
        foreach (var cell in cells)
        {
            Assert.True(CsvNumber.TryParse(cell, out float fast), cell);
            float reference = float.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.True(BitConverter.SingleToInt32Bits(reference) == BitConverter.SingleToInt32Bits(fast), $"{cell}: {fast} vs {reference}");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("1.2.3")]
    [InlineData("1,5")]
    [InlineData("abc")]
    [InlineData("0x10")]
    public void RejectsNonNumbers(string cell) => Assert.False(CsvNumber.TryParse(cell, out _));

    [Theory]
    [InlineData("1e3", 1000f)]
    [InlineData("-2.5E-1", -0.25f)]
    [InlineData("NaN", float.NaN)]
    public void FallsBackForOtherForms(string cell, float expected)
    {
        Assert.True(CsvNumber.TryParse(cell, out float value));
        Assert.Equal(expected, value);
    }
}

using System.Globalization;

namespace FreeEnergy.Cli.Plots;

/// <summary>An opaque 8-bit RGB colour.</summary>
/// <param name="R">Red.</param>
/// <param name="G">Green.</param>
/// <param name="B">Blue.</param>
public readonly record struct PlotColor(byte R, byte G, byte B)
{
    /// <summary>Black.</summary>
    public static PlotColor Black => new(0, 0, 0);

    /// <summary>White.</summary>
    public static PlotColor White => new(255, 255, 255);

    /// <summary>Grey for grids and reference lines.</summary>
    public static PlotColor Grey => new(160, 160, 160);

    /// <summary>Light grey for grid lines.</summary>
    public static PlotColor LightGrey => new(225, 225, 225);

    /// <summary>The colour of series <paramref name="index"/> (a ten-colour cycle that stays distinct in print).</summary>
    public static PlotColor Series(int index) => Palette[((index % Palette.Length) + Palette.Length) % Palette.Length];

    private static readonly PlotColor[] Palette =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
    ];

    /// <summary>The colour as <c>#rrggbb</c>.</summary>
    public string ToHex() => string.Create(CultureInfo.InvariantCulture, $"#{R:x2}{G:x2}{B:x2}");
}

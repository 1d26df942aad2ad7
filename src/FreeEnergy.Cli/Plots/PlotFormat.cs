namespace FreeEnergy.Cli.Plots;

/// <summary>The file formats plots are written in.</summary>
public enum PlotFormat
{
    /// <summary>PNG raster image (text in a built-in 5x7 pixel font).</summary>
    Png,

    /// <summary>SVG vector image (real text elements).</summary>
    Svg,
}

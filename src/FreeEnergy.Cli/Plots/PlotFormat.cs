namespace FreeEnergy.Cli.Plots;

/// <summary>The file formats plots are written in (by ScottPlot).</summary>
public enum PlotFormat
{
    /// <summary>PNG raster image.</summary>
    Png,

    /// <summary>SVG vector image.</summary>
    Svg,
}

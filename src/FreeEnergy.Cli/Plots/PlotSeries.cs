namespace FreeEnergy.Cli.Plots;

/// <summary>One named line of a line chart. Points with a non-finite coordinate break the line.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">Horizontal coordinates.</param>
/// <param name="Y">Vertical coordinates (same count as <paramref name="X"/>).</param>
public sealed record PlotSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

using System.Runtime.CompilerServices;

// The CLI's plumbing (plot rasteriser, progress display) is internal; the unit tests exercise it directly.
[assembly: InternalsVisibleTo("FreeEnergy.Tests")]

using FreeEnergy.Compute;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Estimation;

/// <summary>The TAP (EMF) estimate of log Z of a Bernoulli RBM: -beta G at the best fixed point (cheap, biased; compare with AIS). Thread-safe: only reads the model.</summary>
public static class TapLogPartition
{
    /// <summary>Most data rows used as starting magnetisations.</summary>
    public const int MaxStartRows = 256;

    /// <summary>Estimates log Z; the first rows of <paramref name="data"/> (up to <see cref="MaxStartRows"/>) seed the fixed-point search.</summary>
    public static LogPartitionEstimate Estimate(BernoulliRbm model, MatrixView? data = null, TapSettings? settings = null, IComputeBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        settings ??= new TapSettings();
        backend ??= model.Backend;
        ReadOnlySpan<float> start = default;
        int rows = 0;
        if (data is { } dv && dv.Rows > 0)
        {
            model.ValidateData(dv, "TAP starting rows");
            rows = Math.Min(MaxStartRows, dv.Rows);
            start = dv.RowRange(0, rows).Span;
        }
        double z = TapExpansion.LogPartition(model, settings, backend, start, rows);
        return new LogPartitionEstimate(z, z, z, settings.Order == 3 ? "tap3" : "tap");
    }
}

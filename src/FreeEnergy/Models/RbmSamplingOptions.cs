using FreeEnergy.Tensors;

namespace FreeEnergy.Models;

/// <summary>How <see cref="RbmBase.Sample"/> runs its block-Gibbs chains.</summary>
public sealed class RbmSamplingOptions
{
    /// <summary>Sampling temperature T (energies are divided by T; 1 samples the model itself). Default: 1.</summary>
    public float Temperature { get; set; } = 1f;

    /// <summary>Gibbs steps (v -> h -> v) run before the first sample is kept. Default: 1000.</summary>
    public int BurnIn { get; set; } = 1000;

    /// <summary>Gibbs steps between two samples kept from the same chain. Default: 100.</summary>
    public int Thinning { get; set; } = 100;

    /// <summary>Independent chains run side by side; samples are taken round-robin from them. 0 (default) means one chain per sample.</summary>
    public int Chains { get; set; }

    /// <summary>Random seed; the same seed gives the same samples whatever the thread count. Default: 1.</summary>
    public ulong Seed { get; set; } = 1;

    /// <summary>Rows to start the chains from (row c % rows starts chain c); null (default) starts from uniform random visible states.</summary>
    public Matrix? Initial { get; set; }

    /// <summary>Return the visible means p(v|h) of the last half-step (smooth images) instead of binary/noisy samples. Default: true.</summary>
    public bool ReturnMeans { get; set; } = true;
}

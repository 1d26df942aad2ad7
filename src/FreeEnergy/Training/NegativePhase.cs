namespace FreeEnergy.Training;

/// <summary>The kinds of negative phase an RBM can be trained with.</summary>
public enum NegativePhaseKind
{
    /// <summary>Contrastive divergence: k Gibbs steps started at the data (Hinton 2002).</summary>
    ContrastiveDivergence = 0,

    /// <summary>Persistent contrastive divergence: k Gibbs steps on chains kept across batches (Tieleman 2008).</summary>
    PersistentContrastiveDivergence = 1,

    /// <summary>TAP / extended mean field: persistent magnetisations at a second- or third-order TAP fixed point (Gabrie et al. 2015).</summary>
    Tap = 2,
}

/// <summary>How an RBM's negative (model) statistics are estimated. Create one with the factory methods.</summary>
public sealed class NegativePhase
{
    private NegativePhase(NegativePhaseKind kind, int steps, int chains, int order, int iterations, float damping)
    {
        Kind = kind;
        Steps = steps;
        Chains = chains;
        Order = order;
        Iterations = iterations;
        Damping = damping;
    }

    /// <summary>Which method.</summary>
    public NegativePhaseKind Kind { get; }

    /// <summary>Gibbs steps per update (CD and PCD); 0 for TAP.</summary>
    public int Steps { get; }

    /// <summary>Persistent chains or magnetisation rows (PCD and TAP); 0 means one per batch row.</summary>
    public int Chains { get; }

    /// <summary>The negative rows of a batch of <paramref name="batch"/> rows: the batch for CD (and PCD or TAP without a chain count), else <see cref="Chains"/>.</summary>
    internal int ChainsFor(int batch) => Kind == NegativePhaseKind.ContrastiveDivergence || Chains == 0 ? batch : Chains;

    /// <summary>TAP expansion order (2 or 3); 0 otherwise.</summary>
    public int Order { get; }

    /// <summary>TAP damped fixed-point iterations per update; 0 otherwise.</summary>
    public int Iterations { get; }

    /// <summary>TAP damping in [0, 1) (weight of the old magnetisation); 0 otherwise.</summary>
    public float Damping { get; }

    /// <summary>CD-k: <paramref name="steps"/> Gibbs steps from the data (default 1).</summary>
    public static NegativePhase ContrastiveDivergence(int steps = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        return new(NegativePhaseKind.ContrastiveDivergence, steps, 0, 0, 0, 0f);
    }

    /// <summary>PCD-k: <paramref name="steps"/> Gibbs steps (default 1) on <paramref name="chains"/> persistent chains (0, the default, means the batch size).</summary>
    public static NegativePhase PersistentContrastiveDivergence(int steps = 1, int chains = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(chains);
        return new(NegativePhaseKind.PersistentContrastiveDivergence, steps, chains, 0, 0, 0f);
    }

    /// <summary>
    /// TAP (EMF) training, Bernoulli RBMs only: persistent magnetisations (one row per batch row) moved by
    /// <paramref name="iterations"/> damped fixed-point iterations of order <paramref name="order"/> (2 or 3) per
    /// update. Defaults follow the EMF-RBM authors: order 2, 3 iterations, damping 0.5 (use learning rate ~0.005, momentum 0.5).
    /// </summary>
    public static NegativePhase Tap(int order = 2, int iterations = 3, float damping = 0.5f)
    {
        if (order is not (2 or 3)) throw new ArgumentOutOfRangeException(nameof(order), "TAP order must be 2 or 3.");
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        if (!(damping >= 0f && damping < 1f)) throw new ArgumentOutOfRangeException(nameof(damping), "Damping must be in [0, 1).");
        return new(NegativePhaseKind.Tap, 0, 0, order, iterations, damping);
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        NegativePhaseKind.ContrastiveDivergence => $"cd-{Steps}",
        NegativePhaseKind.PersistentContrastiveDivergence => $"pcd-{Steps}",
        _ => $"tap-{Order}",
    };
}

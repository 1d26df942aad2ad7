namespace FreeEnergy.Training;

/// <summary>
/// The per-method training defaults of RBMs, in one place for every front end (the CLI, the ML.NET layer): the
/// learning rate and momentum that each negative phase wants. Measured on binarised MNIST with 500 hidden units,
/// 30 epochs, a linear rate decay and L2 2e-4 (README, "RBM quality"): CD-1 wants large steps (0.1, momentum 0.9),
/// PCD needs steps small enough for its persistent chains to follow (0.05, momentum 0.5), and TAP and Gaussian RBMs
/// diverge above about 0.01 (0.005).
/// </summary>
/// <example>
/// <code>
/// var phase = NegativePhase.Tap(2);
/// var options = new RbmTrainingOptions { NegativePhase = phase, LearningRate = RbmDefaults.LearningRate(phase, gaussian: false) }; // 0.005
/// </code>
/// </example>
public static class RbmDefaults
{
    /// <summary>The learning rate for <paramref name="phase"/>: 0.1 for CD, 0.05 for PCD, 0.005 for TAP and for every Gaussian RBM.</summary>
    public static float LearningRate(NegativePhase phase, bool gaussian)
    {
        ArgumentNullException.ThrowIfNull(phase);
        if (gaussian || phase.Kind == NegativePhaseKind.Tap) return 0.005f;
        return phase.Kind == NegativePhaseKind.ContrastiveDivergence ? 0.1f : 0.05f;
    }

    /// <summary>The momentum for <paramref name="phase"/>: 0.9 for CD of a Bernoulli RBM, otherwise 0.5.</summary>
    public static float Momentum(NegativePhase phase, bool gaussian)
    {
        ArgumentNullException.ThrowIfNull(phase);
        return !gaussian && phase.Kind == NegativePhaseKind.ContrastiveDivergence ? 0.9f : 0.5f;
    }
}

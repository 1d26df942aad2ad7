namespace FreeEnergy.Evaluation;

/// <summary>How an <see cref="AnomalyThreshold"/> was calibrated from training scores.</summary>
public enum ThresholdMethod
{
    /// <summary>Given directly, not calibrated.</summary>
    Fixed,

    /// <summary>
    /// The training data are assumed to hold a fraction <c>c</c> of anomalies: the threshold is the (1 - c)
    /// quantile of the training scores, linearly interpolated between order statistics (NumPy's default).
    /// </summary>
    Contamination,

    /// <summary>
    /// The training data are assumed normal: the threshold is the smallest training score at which at most a
    /// fraction <c>r</c> of the training scores lie strictly above it (the empirical false positive rate never
    /// exceeds the target).
    /// </summary>
    FalsePositiveRate,
}

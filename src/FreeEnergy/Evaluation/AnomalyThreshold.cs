using System.Globalization;

namespace FreeEnergy.Evaluation;

/// <summary>
/// A decision threshold on anomaly scores (higher = more anomalous): a row is an anomaly when its score is
/// strictly greater than <see cref="Value"/>. Calibrate it on the scores of the training rows with
/// <see cref="FromContamination"/> or <see cref="FromFalsePositiveRate"/>, or give it directly.
/// </summary>
/// <example>
/// <code>
/// var threshold = AnomalyThreshold.FromFalsePositiveRate(model.FreeEnergy(trainingRows), 0.01);
/// bool[] flagged = threshold.Predict(model.FreeEnergy(newRows));
/// </code>
/// </example>
public sealed class AnomalyThreshold
{
    /// <summary>A threshold given directly (for example one stored with a model).</summary>
    /// <param name="value">Scores strictly above it are anomalies; must not be NaN.</param>
    public AnomalyThreshold(double value)
        : this(value, ThresholdMethod.Fixed, double.NaN, 0)
    {
    }

    private AnomalyThreshold(double value, ThresholdMethod method, double rate, int calibrationCount)
    {
        if (double.IsNaN(value)) throw new ArgumentException("An anomaly threshold cannot be NaN.", nameof(value));
        Value = value;
        Method = method;
        Rate = rate;
        CalibrationCount = calibrationCount;
    }

    /// <summary>The threshold: scores strictly above it are anomalies.</summary>
    public double Value { get; }

    /// <summary>How the threshold was obtained.</summary>
    public ThresholdMethod Method { get; }

    /// <summary>The contamination rate or target false positive rate used for calibration; NaN for <see cref="ThresholdMethod.Fixed"/>.</summary>
    public double Rate { get; }

    /// <summary>Number of training scores the threshold was calibrated on (0 for <see cref="ThresholdMethod.Fixed"/>).</summary>
    public int CalibrationCount { get; }

    /// <summary>Calibrates a threshold on training scores by <paramref name="method"/> (see <see cref="FromContamination"/> and <see cref="FromFalsePositiveRate"/>).</summary>
    /// <param name="trainingScores">Anomaly scores of the training rows; at least one, none NaN.</param>
    /// <param name="method"><see cref="ThresholdMethod.Contamination"/> or <see cref="ThresholdMethod.FalsePositiveRate"/>.</param>
    /// <param name="rate">The contamination rate in [0, 1), or the target false positive rate in [0, 1].</param>
    /// <exception cref="ArgumentException">Bad scores or rate, or <see cref="ThresholdMethod.Fixed"/> (nothing to calibrate).</exception>
    public static AnomalyThreshold Fit(ReadOnlySpan<float> trainingScores, ThresholdMethod method, double rate) => method switch
    {
        ThresholdMethod.Contamination => FromContamination(trainingScores, rate),
        ThresholdMethod.FalsePositiveRate => FromFalsePositiveRate(trainingScores, rate),
        _ => throw new ArgumentException($"Threshold method {method} cannot be calibrated from scores; use Contamination or FalsePositiveRate.", nameof(method)),
    };

    /// <summary>
    /// Calibrates for a known fraction of anomalies in the training data: the (1 - <paramref name="contamination"/>)
    /// quantile of <paramref name="trainingScores"/>, linearly interpolated (so about that fraction of the training
    /// rows score above it).
    /// </summary>
    /// <param name="trainingScores">Anomaly scores of the training rows; at least one, none NaN.</param>
    /// <param name="contamination">Expected fraction of anomalies, in [0, 1). 0 puts the threshold at the largest score.</param>
    /// <exception cref="ArgumentException">No scores, a NaN score, or the rate outside [0, 1).</exception>
    public static AnomalyThreshold FromContamination(ReadOnlySpan<float> trainingScores, double contamination)
    {
        if (!(contamination >= 0 && contamination < 1))
            throw new ArgumentOutOfRangeException(nameof(contamination), contamination, "The contamination rate must be in [0, 1).");
        float[] sorted = SortedCopy(trainingScores);
        double position = (1 - contamination) * (sorted.Length - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Length - 1);
        double fraction = position - low;
        double value = fraction == 0 ? sorted[low] : sorted[low] + (sorted[high] - (double)sorted[low]) * fraction;
        return new AnomalyThreshold(value, ThresholdMethod.Contamination, contamination, sorted.Length);
    }

    /// <summary>
    /// Calibrates for a target false positive rate on normal data: the smallest training score such that at most
    /// floor(<paramref name="falsePositiveRate"/> * n) training scores lie strictly above it.
    /// </summary>
    /// <param name="trainingScores">Anomaly scores of (normal) training rows; at least one, none NaN.</param>
    /// <param name="falsePositiveRate">Target fraction of normal rows flagged, in [0, 1].</param>
    /// <exception cref="ArgumentException">No scores, a NaN score, or the rate outside [0, 1].</exception>
    public static AnomalyThreshold FromFalsePositiveRate(ReadOnlySpan<float> trainingScores, double falsePositiveRate)
    {
        if (!(falsePositiveRate >= 0 && falsePositiveRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(falsePositiveRate), falsePositiveRate, "The target false positive rate must be in [0, 1].");
        float[] sorted = SortedCopy(trainingScores);
        int n = sorted.Length;
        int allowed = (int)Math.Floor(falsePositiveRate * n + 1e-9 * n);
        allowed = Math.Min(allowed, n);
        // Ascending order: the element at index n - 1 - allowed has at most `allowed` elements strictly above it.
        double value = allowed == n ? double.NegativeInfinity : sorted[n - 1 - allowed];
        return new AnomalyThreshold(value, ThresholdMethod.FalsePositiveRate, falsePositiveRate, n);
    }

    /// <summary>Whether <paramref name="score"/> is an anomaly (strictly above the threshold). NaN is an anomaly: it is not a normal score.</summary>
    public bool IsAnomaly(double score) => !(score <= Value);

    /// <summary>Flags every score: <c>true</c> for an anomaly.</summary>
    public bool[] Predict(ReadOnlySpan<float> scores)
    {
        var flags = new bool[scores.Length];
        Predict(scores, flags);
        return flags;
    }

    /// <summary>Flags every score into <paramref name="anomalous"/> (same length).</summary>
    public void Predict(ReadOnlySpan<float> scores, Span<bool> anomalous)
    {
        if (anomalous.Length != scores.Length)
            throw new ArgumentException($"The destination holds {anomalous.Length} flags for {scores.Length} scores.", nameof(anomalous));
        for (int i = 0; i < scores.Length; i++) anomalous[i] = IsAnomaly(scores[i]);
    }

    /// <summary>Fraction of <paramref name="scores"/> flagged as anomalies.</summary>
    public double FlaggedFraction(ReadOnlySpan<float> scores)
    {
        if (scores.IsEmpty) return double.NaN;
        int flagged = 0;
        for (int i = 0; i < scores.Length; i++) if (IsAnomaly(scores[i])) flagged++;
        return (double)flagged / scores.Length;
    }

    /// <inheritdoc />
    public override string ToString() => Method == ThresholdMethod.Fixed
        ? string.Create(CultureInfo.InvariantCulture, $"score > {Value:R}")
        : string.Create(CultureInfo.InvariantCulture, $"score > {Value:R} ({Method} {Rate:R}, {CalibrationCount} training scores)");

    private static float[] SortedCopy(ReadOnlySpan<float> scores)
    {
        if (scores.IsEmpty) throw new ArgumentException("Calibrating a threshold needs at least one training score.", "trainingScores");
        var sorted = scores.ToArray();
        for (int i = 0; i < sorted.Length; i++)
            if (float.IsNaN(sorted[i])) throw new ArgumentException($"Training score {i} is NaN; cannot calibrate a threshold.", "trainingScores");
        Array.Sort(sorted);
        return sorted;
    }
}

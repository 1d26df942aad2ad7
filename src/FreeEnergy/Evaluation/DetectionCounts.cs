namespace FreeEnergy.Evaluation;

/// <summary>The confusion counts of anomaly flags against true labels, with the usual rates.</summary>
/// <param name="TruePositives">Anomalies flagged.</param>
/// <param name="FalsePositives">Normal rows flagged.</param>
/// <param name="TrueNegatives">Normal rows not flagged.</param>
/// <param name="FalseNegatives">Anomalies missed.</param>
public readonly record struct DetectionCounts(int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives)
{
    /// <summary>Fraction of flagged rows that are anomalies; NaN when nothing is flagged.</summary>
    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    /// <summary>Fraction of anomalies flagged (true positive rate); NaN when there are no anomalies.</summary>
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    /// <summary>Fraction of normal rows flagged; NaN when there are no normal rows.</summary>
    public double FalsePositiveRate => Ratio(FalsePositives, FalsePositives + TrueNegatives);

    /// <summary>Harmonic mean of precision and recall; NaN when either is undefined, 0 when both are 0.</summary>
    public double F1 => Ratio(2.0 * TruePositives, 2.0 * TruePositives + FalsePositives + FalseNegatives);

    /// <summary>Fraction of rows classified correctly.</summary>
    public double Accuracy => Ratio(TruePositives + TrueNegatives, TruePositives + FalsePositives + TrueNegatives + FalseNegatives);

    /// <summary>Counts flags against labels (<c>true</c> = anomaly in both).</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static DetectionCounts Count(ReadOnlySpan<bool> flagged, ReadOnlySpan<bool> anomalous)
    {
        if (flagged.Length != anomalous.Length)
            throw new ArgumentException($"There are {flagged.Length} flags but {anomalous.Length} labels; they must match one to one.", nameof(anomalous));
        int tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = 0; i < flagged.Length; i++)
        {
            if (flagged[i]) { if (anomalous[i]) tp++; else fp++; }
            else if (anomalous[i]) fn++;
            else tn++;
        }
        return new DetectionCounts(tp, fp, tn, fn);
    }

    private static double Ratio(double numerator, double denominator) => denominator == 0 ? double.NaN : numerator / denominator;
}

namespace FreeEnergy.Evaluation;

/// <summary>
/// The receiver operating characteristic of an anomaly score: for every distinct score taken as a threshold
/// (a row is flagged when its score is at least the threshold), the fraction of anomalous rows flagged (true
/// positive rate) against the fraction of normal rows flagged (false positive rate). Higher score = more anomalous.
/// </summary>
/// <remarks>
/// Rows with equal scores enter the curve together, as one diagonal step, so the trapezoidal area under the curve
/// equals the Mann-Whitney statistic with ties counted one half (<see cref="AreaUnderCurve(ReadOnlySpan{float}, ReadOnlySpan{bool})"/>).
/// </remarks>
public sealed class RocCurve
{
    private RocCurve(double[] falsePositiveRates, double[] truePositiveRates, double[] thresholds, double area, int positives, int negatives)
    {
        FalsePositiveRates = falsePositiveRates;
        TruePositiveRates = truePositiveRates;
        Thresholds = thresholds;
        Auc = area;
        Positives = positives;
        Negatives = negatives;
    }

    /// <summary>False positive rates of the curve's points, from 0 up to 1 (non-decreasing).</summary>
    public IReadOnlyList<double> FalsePositiveRates { get; }

    /// <summary>True positive rates of the curve's points, from 0 up to 1 (non-decreasing).</summary>
    public IReadOnlyList<double> TruePositiveRates { get; }

    /// <summary>
    /// The threshold of each point: rows with score &gt;= threshold are flagged. The first point (0, 0) has
    /// +infinity (nothing flagged); the others are the distinct scores in decreasing order.
    /// </summary>
    public IReadOnlyList<double> Thresholds { get; }

    /// <summary>Area under the curve, in [0, 1]: the probability that a random anomalous row scores above a random normal one (ties count one half).</summary>
    public double Auc { get; }

    /// <summary>Number of anomalous (positive) rows.</summary>
    public int Positives { get; }

    /// <summary>Number of normal (negative) rows.</summary>
    public int Negatives { get; }

    /// <summary>Builds the curve from anomaly scores and labels (<c>true</c> = anomalous).</summary>
    /// <exception cref="ArgumentException">Lengths differ, a score is NaN, or one of the classes is empty.</exception>
    public static RocCurve Compute(ReadOnlySpan<float> scores, ReadOnlySpan<bool> anomalous)
    {
        int n = CheckInput(scores, anomalous, out int positives);
        int negatives = n - positives;
        int[] order = DescendingOrder(scores);

        var fpr = new List<double>(n + 1) { 0.0 };
        var tpr = new List<double>(n + 1) { 0.0 };
        var thresholds = new List<double>(n + 1) { double.PositiveInfinity };
        long tp = 0, fp = 0;
        double area = 0;
        int i = 0;
        while (i < n)
        {
            float value = scores[order[i]];
            long tpBefore = tp, fpBefore = fp;
            while (i < n && scores[order[i]] == value)
            {
                if (anomalous[order[i]]) tp++; else fp++;
                i++;
            }
            // Trapezoid over the tied block, in counts (exact in integers times one half).
            area += (fp - fpBefore) * (double)(tp + tpBefore) * 0.5;
            fpr.Add((double)fp / negatives);
            tpr.Add((double)tp / positives);
            thresholds.Add(value);
        }
        return new RocCurve(fpr.ToArray(), tpr.ToArray(), thresholds.ToArray(), area / ((double)positives * negatives), positives, negatives);
    }

    /// <summary>
    /// The area under the ROC curve by the Mann-Whitney formula with mid-ranks for ties:
    /// (R+ - n+(n+ + 1)/2) / (n+ n-), where R+ is the sum of the anomalous rows' ranks in increasing score order.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, a score is NaN, or one of the classes is empty.</exception>
    public static double AreaUnderCurve(ReadOnlySpan<float> scores, ReadOnlySpan<bool> anomalous)
    {
        int n = CheckInput(scores, anomalous, out int positives);
        int[] order = DescendingOrder(scores);
        // Ranks in increasing order: the row at descending position p has rank n - p; a tied block shares the mean rank.
        double rankSum = 0;
        int i = 0;
        while (i < n)
        {
            int j = i;
            float value = scores[order[i]];
            int blockPositives = 0;
            while (j < n && scores[order[j]] == value)
            {
                if (anomalous[order[j]]) blockPositives++;
                j++;
            }
            // Descending positions i..j-1 are increasing ranks n-j+1 .. n-i; their mean is n - (i + j - 1) / 2.
            double midRank = n - (i + j - 1) * 0.5;
            rankSum += blockPositives * midRank;
            i = j;
        }
        double negatives = n - positives;
        return (rankSum - positives * (positives + 1.0) * 0.5) / (positives * negatives);
    }

    private static int CheckInput(ReadOnlySpan<float> scores, ReadOnlySpan<bool> anomalous, out int positives)
    {
        if (scores.Length != anomalous.Length)
            throw new ArgumentException($"There are {scores.Length} scores but {anomalous.Length} labels; they must match one to one.", nameof(anomalous));
        positives = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (float.IsNaN(scores[i])) throw new ArgumentException($"Score {i} is NaN; a ROC curve needs comparable scores.", nameof(scores));
            if (anomalous[i]) positives++;
        }
        if (positives == 0 || positives == scores.Length)
            throw new ArgumentException(
                $"A ROC curve needs both anomalous and normal rows (got {positives} anomalous of {scores.Length}).", nameof(anomalous));
        return scores.Length;
    }

    private static int[] DescendingOrder(ReadOnlySpan<float> scores)
    {
        var keys = new float[scores.Length];
        var order = new int[scores.Length];
        for (int i = 0; i < order.Length; i++)
        {
            keys[i] = -scores[i];
            order[i] = i;
        }
        Array.Sort(keys, order);
        return order;
    }
}

using FreeEnergy.Evaluation;

namespace FreeEnergy.Tests.Evaluation;

public class RocCurveTests
{
    // Scores drawn from few distinct values so that ties (within and across classes) are frequent.
    private static (float[] Scores, bool[] Labels) TiedData(int seed, int n, int levels)
    {
        var random = new Random(seed);
        var scores = new float[n];
        var labels = new bool[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = random.NextDouble() < 0.3;
            // Anomalies are shifted up a little, so the AUC is neither 0.5 nor 1.
            scores[i] = random.Next(levels) + (labels[i] ? random.Next(3) : 0);
        }
        labels[0] = true;
        labels[1] = false;
        return (scores, labels);
    }

    private static double PairwiseAuc(float[] scores, bool[] labels)
    {
        double wins = 0;
        long pairs = 0;
        for (int p = 0; p < scores.Length; p++)
        {
            if (!labels[p]) continue;
            for (int q = 0; q < scores.Length; q++)
            {
                if (labels[q]) continue;
                pairs++;
                if (scores[p] > scores[q]) wins += 1;
                else if (scores[p] == scores[q]) wins += 0.5;
            }
        }
        return wins / pairs;
    }

    [Theory]
    [InlineData(1, 50, 4)]
    [InlineData(2, 200, 10)]
    [InlineData(3, 333, 1000)]
    [InlineData(4, 17, 2)]
    public void AreaMatchesPairwiseCountWithTies(int seed, int n, int levels)
    {
        var (scores, labels) = TiedData(seed, n, levels);
        double expected = PairwiseAuc(scores, labels);
        Assert.Equal(expected, RocCurve.AreaUnderCurve(scores, labels), 12);
        Assert.Equal(expected, RocCurve.Compute(scores, labels).Auc, 12);
    }

    [Theory]
    [InlineData(5, 80, 6)]
    [InlineData(6, 120, 50)]
    public void PointsAreTheRatesAtEachThreshold(int seed, int n, int levels)
    {
        var (scores, labels) = TiedData(seed, n, levels);
        var roc = RocCurve.Compute(scores, labels);
        int positives = labels.Count(l => l), negatives = n - positives;
        Assert.Equal(positives, roc.Positives);
        Assert.Equal(negatives, roc.Negatives);
        Assert.Equal(scores.Distinct().Count() + 1, roc.Thresholds.Count);
        Assert.Equal(0.0, roc.FalsePositiveRates[0]);
        Assert.Equal(0.0, roc.TruePositiveRates[0]);
        Assert.Equal(1.0, roc.FalsePositiveRates[^1]);
        Assert.Equal(1.0, roc.TruePositiveRates[^1]);
        for (int k = 0; k < roc.Thresholds.Count; k++)
        {
            double t = roc.Thresholds[k];
            int tp = 0, fp = 0;
            for (int i = 0; i < n; i++)
                if (scores[i] >= t) { if (labels[i]) tp++; else fp++; }
            Assert.Equal((double)tp / positives, roc.TruePositiveRates[k], 12);
            Assert.Equal((double)fp / negatives, roc.FalsePositiveRates[k], 12);
            if (k > 0) Assert.True(roc.Thresholds[k] < roc.Thresholds[k - 1]);
        }
    }

    [Fact]
    public void PerfectAndReversedAndConstantScores()
    {
        float[] scores = [0.1f, 0.2f, 0.9f, 0.8f];
        bool[] labels = [false, false, true, true];
        Assert.Equal(1.0, RocCurve.AreaUnderCurve(scores, labels));
        bool[] reversed = [true, true, false, false];
        Assert.Equal(0.0, RocCurve.AreaUnderCurve(scores, reversed));
        float[] constant = [3f, 3f, 3f, 3f];
        var roc = RocCurve.Compute(constant, labels);
        Assert.Equal(0.5, roc.Auc);
        Assert.Equal(2, roc.Thresholds.Count);
    }

    [Fact]
    public void InfiniteScoresAreOrdered()
    {
        float[] scores = [float.NegativeInfinity, 0f, float.PositiveInfinity, float.PositiveInfinity];
        bool[] labels = [false, true, true, false];
        Assert.Equal(PairwiseAuc(scores, labels), RocCurve.AreaUnderCurve(scores, labels), 12);
        Assert.Equal(PairwiseAuc(scores, labels), RocCurve.Compute(scores, labels).Auc, 12);
    }

    [Fact]
    public void BadInputIsRejected()
    {
        Assert.Throws<ArgumentException>(() => RocCurve.Compute([1f, 2f], [true]));
        Assert.Throws<ArgumentException>(() => RocCurve.Compute([1f, 2f], [true, true]));
        Assert.Throws<ArgumentException>(() => RocCurve.AreaUnderCurve([1f, 2f], [false, false]));
        Assert.Throws<ArgumentException>(() => RocCurve.AreaUnderCurve([1f, float.NaN], [true, false]));
        Assert.Throws<ArgumentException>(() => RocCurve.Compute(ReadOnlySpan<float>.Empty, ReadOnlySpan<bool>.Empty));
    }
}

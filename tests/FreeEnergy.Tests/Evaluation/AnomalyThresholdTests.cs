using FreeEnergy.Evaluation;

namespace FreeEnergy.Tests.Evaluation;

public class AnomalyThresholdTests
{
    private static float[] RandomScores(int seed, int n, int levels)
    {
        var random = new Random(seed);
        var scores = new float[n];
        for (int i = 0; i < n; i++) scores[i] = levels > 0 ? random.Next(levels) : (float)(random.NextDouble() * 10 - 3);
        return scores;
    }

    [Fact]
    public void ContaminationIsTheInterpolatedQuantile()
    {
        // 0, 1, ..., 100: the q quantile with linear interpolation is 100 q.
        var scores = Enumerable.Range(0, 101).Select(i => (float)i).Reverse().ToArray();
        Assert.Equal(95.0, AnomalyThreshold.FromContamination(scores, 0.05).Value, 9);
        Assert.Equal(87.5, AnomalyThreshold.FromContamination(scores, 0.125).Value, 9);
        Assert.Equal(100.0, AnomalyThreshold.FromContamination(scores, 0).Value);
        // Two points: interpolates between them.
        Assert.Equal(1.75, AnomalyThreshold.FromContamination([1f, 2f], 0.25).Value, 9);
        Assert.Equal(4.0, AnomalyThreshold.FromContamination([4f], 0.3).Value);
    }

    [Theory]
    [InlineData(1, 1000, 0, 0.1)]
    [InlineData(2, 257, 0, 0.02)]
    [InlineData(3, 500, 0, 0.33)]
    public void ContaminationFlagsAboutThatFractionOfDistinctScores(int seed, int n, int levels, double rate)
    {
        var scores = RandomScores(seed, n, levels);
        var threshold = AnomalyThreshold.FromContamination(scores, rate);
        Assert.Equal(ThresholdMethod.Contamination, threshold.Method);
        Assert.Equal(rate, threshold.Rate);
        Assert.Equal(n, threshold.CalibrationCount);
        int above = scores.Count(s => s > threshold.Value);
        // With distinct scores, the interpolated (1-c) quantile has between floor and ceil of c(n-1) scores above it.
        Assert.InRange(above, (int)Math.Floor(rate * (n - 1)), (int)Math.Ceiling(rate * (n - 1)));
        Assert.Equal((double)above / n, threshold.FlaggedFraction(scores), 12);
    }

    [Theory]
    [InlineData(4, 1000, 0, 0.01)]
    [InlineData(5, 300, 7, 0.1)]
    [InlineData(6, 64, 3, 0.5)]
    [InlineData(7, 100, 0, 0.29)]
    [InlineData(8, 50, 0, 0.0)]
    [InlineData(9, 50, 4, 1.0)]
    public void FalsePositiveRateMatchesSmallestAdmissibleScore(int seed, int n, int levels, double rate)
    {
        var scores = RandomScores(seed, n, levels);
        var threshold = AnomalyThreshold.FromFalsePositiveRate(scores, rate);
        // Brute force: the smallest candidate (training scores and -inf) with at most floor(rate n) scores above it.
        int allowed = (int)Math.Floor(Math.Round(rate * n, 9));
        double expected = double.PositiveInfinity;
        foreach (double candidate in scores.Select(s => (double)s).Append(double.NegativeInfinity))
            if (scores.Count(s => s > candidate) <= allowed && candidate < expected) expected = candidate;
        Assert.Equal(expected, threshold.Value);
        Assert.True(threshold.FlaggedFraction(scores) <= rate + 1e-12);
    }

    [Fact]
    public void FitDispatchesOnTheMethod()
    {
        var scores = RandomScores(10, 200, 0);
        Assert.Equal(AnomalyThreshold.FromContamination(scores, 0.05).Value, AnomalyThreshold.Fit(scores, ThresholdMethod.Contamination, 0.05).Value);
        Assert.Equal(AnomalyThreshold.FromFalsePositiveRate(scores, 0.05).Value, AnomalyThreshold.Fit(scores, ThresholdMethod.FalsePositiveRate, 0.05).Value);
        Assert.Equal(ThresholdMethod.FalsePositiveRate, AnomalyThreshold.Fit(scores, ThresholdMethod.FalsePositiveRate, 0.05).Method);
        Assert.Throws<ArgumentException>(() => AnomalyThreshold.Fit(scores, ThresholdMethod.Fixed, 0.05));
    }

    [Fact]
    public void PredictFlagsStrictlyAbove()
    {
        var threshold = new AnomalyThreshold(2.5);
        Assert.Equal(ThresholdMethod.Fixed, threshold.Method);
        Assert.Equal([false, false, true, true, true], threshold.Predict([1f, 2.5f, 2.6f, float.PositiveInfinity, float.NaN]));
        var flags = new bool[2];
        threshold.Predict([3f, -1f], flags);
        Assert.Equal([true, false], flags);
        Assert.Throws<ArgumentException>(() => threshold.Predict([1f], new bool[2]));
    }

    [Fact]
    public void DetectionCountsAgreeWithFlags()
    {
        var threshold = new AnomalyThreshold(0.5);
        float[] scores = [0.1f, 0.9f, 0.7f, 0.2f, 0.6f];
        bool[] labels = [false, true, false, true, true];
        var counts = DetectionCounts.Count(threshold.Predict(scores), labels);
        Assert.Equal(new DetectionCounts(2, 1, 1, 1), counts);
        Assert.Equal(2.0 / 3, counts.Precision, 12);
        Assert.Equal(2.0 / 3, counts.Recall, 12);
        Assert.Equal(0.5, counts.FalsePositiveRate, 12);
        Assert.Equal(2.0 / 3, counts.F1, 12);
        Assert.Equal(0.6, counts.Accuracy, 12);
        Assert.True(double.IsNaN(DetectionCounts.Count([false], [false]).Precision));
    }

    [Fact]
    public void BadInputIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AnomalyThreshold.FromContamination([1f], 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => AnomalyThreshold.FromContamination([1f], -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => AnomalyThreshold.FromFalsePositiveRate([1f], double.NaN));
        Assert.Throws<ArgumentException>(() => AnomalyThreshold.FromFalsePositiveRate(ReadOnlySpan<float>.Empty, 0.1));
        Assert.Throws<ArgumentException>(() => AnomalyThreshold.FromContamination([1f, float.NaN], 0.1));
        Assert.Throws<ArgumentException>(() => new AnomalyThreshold(double.NaN));
    }
}

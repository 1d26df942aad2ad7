using Microsoft.ML.Data;
using FreeEnergy.Evaluation;

namespace Microsoft.ML.FreeEnergy.Tests;

/// <summary>The free-energy anomaly trainer with ML.NET's own evaluator on data with known anomalies.</summary>
public sealed class AnomalyDetectionTests
{
    [Theory]
    [InlineData(FreeEnergyModelKind.BernoulliRbm)]
    [InlineData(FreeEnergyModelKind.Vae)]
    [InlineData(FreeEnergyModelKind.HierarchicalVae)]
    public void Evaluate_finds_the_known_anomalies(FreeEnergyModelKind kind)
    {
        var ml = new MLContext(seed: 1);
        var training = ml.Data.LoadFromEnumerable(SyntheticRows.Binary(200, 0, 21));
        var test = ml.Data.LoadFromEnumerable(SyntheticRows.Binary(100, 20, 22));
        var options = new FreeEnergyAnomalyDetectionOptions { ModelKind = kind, Rbm = Settings.For(kind).Rbm, Vae = Settings.For(kind).Vae, Rate = 0.05 };
        options.Rbm.Epochs = 20;
        options.Vae.Epochs = 20;
        var detector = ml.AnomalyDetection.Trainers.FreeEnergy(options).Fit(training);
        var scored = detector.Transform(test);
        var metrics = ml.AnomalyDetection.Evaluate(scored);
        Assert.True(metrics.AreaUnderRocCurve > 0.95, $"AUC {metrics.AreaUnderRocCurve}");
    }

    [Theory]
    [InlineData(ThresholdMethod.FalsePositiveRate, 0.1)]
    [InlineData(ThresholdMethod.Contamination, 0.2)]
    public void PredictedLabel_applies_the_threshold_calibrated_on_the_training_scores(ThresholdMethod method, double rate)
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticRows.Binary(80, 20, 31);
        var training = ml.Data.LoadFromEnumerable(rows);
        var detector = ml.AnomalyDetection.Trainers.FreeEnergy(new FreeEnergyAnomalyDetectionOptions
        {
            Model = TransformTests.RbmTrainerModel(rows),
            ThresholdMethod = method,
            Rate = rate,
        }).Fit(training);

        var engineScores = detector.Model.FreeEnergy(SyntheticRows.ToMatrix(rows).View);
        var expected = AnomalyThreshold.Fit(engineScores, method, rate);
        Assert.Equal(expected.Value, detector.Threshold.Value);
        Assert.Equal(method, detector.Threshold.Method);

        var scored = detector.Transform(training);
        var scores = scored.GetColumn<float>("Score").ToArray();
        var labels = scored.GetColumn<bool>("PredictedLabel").ToArray();
        for (int i = 0; i < scores.Length; i++) Assert.Equal(scores[i] > expected.Value, labels[i]);
        int flagged = labels.Count(l => l);
        if (method == ThresholdMethod.FalsePositiveRate) Assert.True(flagged <= rate * rows.Length + 1, $"{flagged} flagged");
        else Assert.InRange(flagged, rate * rows.Length - 3, rate * rows.Length + 3);
    }
}

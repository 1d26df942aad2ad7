using Microsoft.ML.Data;

namespace Microsoft.ML.FreeEnergy.Tests;

/// <summary>Saved pipelines load back (in a fresh context) and score identically; single-row prediction engines work.</summary>
public sealed class PersistenceTests
{
    private sealed class ScoredRow
    {
        public float FreeEnergy { get; set; }

        [VectorType(5)]
        public float[] Hidden { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void Save_and_load_round_trip_scores_identically()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticRows.Binary(40, 10, 11);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.FreeEnergyScore("FreeEnergy", "Features", Settings.For(FreeEnergyModelKind.BernoulliRbm))
            .Append(ml.Transforms.FreeEnergyEncode("Hidden", "Features", Settings.For(FreeEnergyModelKind.Vae)));
        var fitted = pipeline.Fit(data);
        var before = fitted.Transform(data);

        using var stream = new MemoryStream();
        ml.Model.Save(fitted, data.Schema, stream);
        stream.Position = 0;
        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Model.Load(stream, out var inputSchema);
        var after = loaded.Transform(data);

        Assert.Equal(data.Schema["Features"].Type, inputSchema["Features"].Type);
        Assert.Equal(before.GetColumn<float>("FreeEnergy").ToArray(), after.GetColumn<float>("FreeEnergy").ToArray());
        var hiddenBefore = TransformTests.ReadVectors(before, "Hidden");
        var hiddenAfter = TransformTests.ReadVectors(after, "Hidden");
        Assert.Equal(hiddenBefore.Length, hiddenAfter.Length);
        for (int i = 0; i < hiddenBefore.Length; i++) Assert.Equal(hiddenBefore[i], hiddenAfter[i]);
    }

    [Fact]
    public void A_saved_anomaly_detector_loads_and_predicts_the_same_labels()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticRows.Binary(40, 10, 14);
        var data = ml.Data.LoadFromEnumerable(rows);
        var detector = ml.AnomalyDetection.Trainers.FreeEnergy(new FreeEnergyAnomalyDetectionOptions { Model = TransformTests.RbmTrainerModel(rows), Rate = 0.2 }).Fit(data);
        var labels = AssertSavedDetectorScoresTheSame(ml, detector, data);
        Assert.Contains(true, labels);
        Assert.Contains(false, labels);
    }

    [Fact]
    public void A_saved_two_level_vae_detector_trained_on_binarised_rows_loads_and_scores_the_same()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticRows.Binary(60, 10, 15);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = new FreeEnergyAnomalyDetectionOptions { ModelKind = FreeEnergyModelKind.HierarchicalVae, Vae = Settings.For(FreeEnergyModelKind.HierarchicalVae).Vae, Binarize = true, Seed = 4, Rate = 0.2 };
        options.Vae.ImportanceSamples = 2;
        var detector = ml.AnomalyDetection.Trainers.FreeEnergy(options).Fit(data);
        Assert.IsType<global::FreeEnergy.Models.HierarchicalVae>(detector.Model);
        AssertSavedDetectorScoresTheSame(ml, detector, data);
        // The graph binarises as the model was trained: the engine's score of the binarised rows.
        var binary = SyntheticRows.ToMatrix(rows);
        for (int i = 0; i < binary.Data.Length; i++) binary.Data[i] = binary.Data[i] > 0.5f ? 1f : 0f;
        TransformTests.AssertClose(detector.Model.FreeEnergy(binary.View), detector.Transform(data).GetColumn<float>("Score").ToArray());
    }

    /// <summary>Saves <paramref name="detector"/>, loads it in a fresh context, and checks equal scores and labels; returns the labels.</summary>
    private static bool[] AssertSavedDetectorScoresTheSame(MLContext ml, ITransformer detector, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(detector, data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(seed: 3).Model.Load(stream, out _).Transform(data);
        var original = detector.Transform(data);
        Assert.Equal(original.GetColumn<float>("Score").ToArray(), loaded.GetColumn<float>("Score").ToArray());
        var labels = loaded.GetColumn<bool>("PredictedLabel").ToArray();
        Assert.Equal(original.GetColumn<bool>("PredictedLabel").ToArray(), labels);
        return labels;
    }

    [Fact]
    public void Prediction_engine_scores_a_single_row_like_the_pipeline()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticRows.Binary(40, 10, 12);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = TransformTests.RbmTrainerModel(rows);
        var fitted = ml.Transforms.FreeEnergyScore("FreeEnergy", "Features", model)
            .Append(ml.Transforms.FreeEnergyEncode("Hidden", "Features", model)).Fit(data);
        var engine = ml.Model.CreatePredictionEngine<FeatureRow, ScoredRow>(fitted);
        var expectedScores = model.FreeEnergy(SyntheticRows.ToMatrix(rows).View);
        var expectedHidden = model.Encode(SyntheticRows.ToMatrix(rows).View);
        foreach (int i in new[] { 0, 17, 45 })
        {
            var prediction = engine.Predict(rows[i]);
            TransformTests.AssertClose(new[] { expectedScores[i] }, new[] { prediction.FreeEnergy });
            Assert.Equal(5, prediction.Hidden.Length);
            for (int j = 0; j < 5; j++) Assert.True(Math.Abs(expectedHidden[i, j] - prediction.Hidden[j]) <= 1e-5f);
        }
    }

    [Fact]
    public void Prediction_engine_runs_the_anomaly_detector_on_one_row()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticRows.Binary(60, 0, 13);
        var detector = ml.AnomalyDetection.Trainers.FreeEnergy(new FreeEnergyAnomalyDetectionOptions { Model = TransformTests.RbmTrainerModel(rows) })
            .Fit(ml.Data.LoadFromEnumerable(rows));
        var engine = ml.Model.CreatePredictionEngine<FeatureRow, DetectedRow>(detector);
        var anomaly = SyntheticRows.Binary(0, 1, 99)[0];
        var prediction = engine.Predict(anomaly);
        float expected = detector.Model.FreeEnergy(SyntheticRows.ToMatrix(new[] { anomaly }).View)[0];
        TransformTests.AssertClose(new[] { expected }, new[] { prediction.Score });
        Assert.Equal(detector.Threshold.IsAnomaly(prediction.Score), prediction.PredictedLabel);
    }
}

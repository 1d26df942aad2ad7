using FreeEnergy.Data.Preprocessing;
using FreeEnergy.Estimation;
using FreeEnergy.Tensors;
using Microsoft.ML.Data;

namespace Microsoft.ML.FreeEnergy.Tests;

/// <summary>
/// FreeEnergy steps inside real ML.NET pipelines: NormalizeMinMax, then FreeEnergyEncode feeding a built-in trainer, saved,
/// loaded and run through a PredictionEngine; and the detector with binarisation and the complexity-corrected score,
/// saved and loaded, against the engine and its bulk path.
/// </summary>
public sealed class PipelineTests
{
    private sealed class ClassifiedRow
    {
        [VectorType(8)]
        public float[] Hidden { get; set; } = Array.Empty<float>();

        public bool PredictedLabel { get; set; }

        public float Probability { get; set; }
    }

    [Fact]
    public void Normalize_encode_and_a_built_in_trainer_save_load_and_predict_one_row()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticRows.Binary(120, 40, 21);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Conversion.ConvertType("IsAnomaly", "Label", DataKind.Boolean)
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.Transforms.FreeEnergyEncode("Hidden", "Features", new FreeEnergyTransformOptions { Rbm = { HiddenUnits = 8, Epochs = 30, BatchSize = 10 } }))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression("IsAnomaly", "Hidden"));
        var model = pipeline.Fit(data);
        var batch = ml.Data.CreateEnumerable<ClassifiedRow>(model.Transform(data), reuseRowObject: false).ToArray();
        // The encoding the trainer saw is the engine's, of the min-max normalised rows (binary rows: unchanged).
        var encoder = ((IEnumerable<ITransformer>)model).OfType<FreeEnergyTransformer>().Single();
        var expected = encoder.Model.Encode(SyntheticRows.ToMatrix(rows).View);
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < 8; j++) Assert.Equal(expected[i, j], batch[i].Hidden[j], 1e-5f);

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(seed: 9).Model.Load(stream, out _);
        var engine = ml.Model.CreatePredictionEngine<FeatureRow, ClassifiedRow>(loaded);
        for (int i = 0; i < rows.Length; i += 37)
        {
            var one = engine.Predict(rows[i]);
            Assert.Equal(batch[i].PredictedLabel, one.PredictedLabel);
            Assert.Equal(batch[i].Probability, one.Probability, 1e-5f);
            for (int j = 0; j < 8; j++) Assert.Equal(batch[i].Hidden[j], one.Hidden[j], 1e-5f);
        }
    }

    [Fact]
    public void A_binarising_complexity_corrected_detector_scores_like_the_engine_and_survives_save_and_load()
    {
        var ml = new MLContext(seed: 1);
        var normal = ImageRows.Blobs(200, 2, grey: true);
        var anomalies = ImageRows.Noise(40, 3);
        var training = ml.Data.LoadFromEnumerable(normal);
        var test = ml.Data.LoadFromEnumerable(normal.Take(60).Concat(anomalies).ToArray());
        var options = new FreeEnergyAnomalyDetectionOptions
        {
            ModelKind = FreeEnergyModelKind.Vae, Binarize = true, SubtractInputComplexity = true, Seed = 3,
            Vae = { LatentDimensions = 4, Layers = [32], Epochs = 15, BatchSize = 20 },
        };
        var detector = ml.AnomalyDetection.Trainers.FreeEnergy(options).Fit(training);
        Assert.True(detector.SubtractsInputComplexity);
        Assert.Equal(ThresholdBinarizer.DefaultRule, detector.Model.Annotations[ThresholdBinarizer.ModelAnnotation]);

        var scored = detector.Transform(test);
        var scores = scored.GetColumn<float>("Score").ToArray();
        var x = Matrix.FromRows(normal.Take(60).Concat(anomalies).Select(r => r.Features).ToList());
        var expected = InputComplexity.Correct(detector.Model.FreeEnergy(new ThresholdBinarizer().Transform(x).View), new InputComplexity(6, 6).CodeLengths(x.View));
        for (int i = 0; i < scores.Length; i++) Assert.True(Math.Abs(scores[i] - expected[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"row {i}: {scores[i]} vs {expected[i]}");
        var bulk = detector.ScoreRows(test);
        for (int i = 0; i < scores.Length; i++) Assert.True(Math.Abs(scores[i] - bulk[i]) <= 1e-4 * Math.Max(1, Math.Abs(bulk[i])), $"row {i}: {scores[i]} vs bulk {bulk[i]}");

        using var stream = new MemoryStream();
        ml.Model.Save(detector, training.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(seed: 5).Model.Load(stream, out _);
        Assert.Equal(scores, loaded.Transform(test).GetColumn<float>("Score").ToArray());
        var engine = ml.Model.CreatePredictionEngine<ImageRow, DetectedRow>(loaded);
        var first = engine.Predict(anomalies[0]);
        Assert.Equal(scores[60], first.Score, 1e-4f * Math.Max(1, Math.Abs(scores[60])));
        Assert.Equal(detector.Threshold.IsAnomaly(scores[60]), first.PredictedLabel);
    }

    [Fact]
    public void The_corrected_score_needs_square_images_and_says_so()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SyntheticRows.Binary(30, 0, 3));
        var error = Assert.ThrowsAny<ArgumentException>(() => ml.AnomalyDetection.Trainers.FreeEnergy(epochs: 2, subtractInputComplexity: true).Fit(data));
        Assert.Contains("square", error.Message);
        Assert.Contains("12", error.Message);
    }
}

/// <summary>A 6 x 6 image row: 36 pixels in [0, 1] and Label 1 for an anomaly.</summary>
public sealed class ImageRow
{
    public const int Side = 6;

    [VectorType(Side * Side)]
    public float[] Features { get; set; } = new float[Side * Side];

    /// <summary>1 = anomaly (AnomalyDetection.Evaluate reads a Single label).</summary>
    public float Label { get; set; }
}

/// <summary>Small generated images: a bright square blob at a few positions (normal), or scattered random pixels (anomalies).</summary>
internal static class ImageRows
{
    public static ImageRow[] Blobs(int count, int seed, bool grey)
    {
        var random = new Random(seed);
        var rows = new ImageRow[count];
        for (int i = 0; i < count; i++)
        {
            var f = new float[ImageRow.Side * ImageRow.Side];
            int top = random.Next(3), left = random.Next(3);
            for (int y = top; y < top + 3; y++)
                for (int x = left; x < left + 3; x++) f[y * ImageRow.Side + x] = grey ? 0.6f + 0.4f * (float)random.NextDouble() : 1f;
            rows[i] = new ImageRow { Features = f };
        }
        return rows;
    }

    public static ImageRow[] Noise(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => new ImageRow
        {
            Features = Enumerable.Range(0, ImageRow.Side * ImageRow.Side).Select(_ => random.NextDouble() < 0.3 ? 0.9f : 0.1f).ToArray(),
            Label = 1,
        }).ToArray();
    }
}

using FreeEnergy.Evaluation;
using FreeEnergy.Models;
using FreeEnergy.Onnx;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// Unsupervised anomaly detection by free energy: <c>Fit</c> trains the model on the feature column (or takes the given
/// one), calibrates the threshold on the training rows' free energies (contamination or target false positive rate) and
/// returns a <see cref="FreeEnergyAnomalyDetectionTransformer"/>. Create it with
/// <c>mlContext.AnomalyDetection.Trainers.FreeEnergy(options)</c>.
/// </summary>
public sealed class FreeEnergyAnomalyDetectionTrainer : IEstimator<FreeEnergyAnomalyDetectionTransformer>
{
    /// <summary>The score column written.</summary>
    public const string ScoreColumnName = "Score";

    /// <summary>The predicted label column written.</summary>
    public const string PredictedLabelColumnName = "PredictedLabel";

    private readonly TransformsCatalog _transforms;
    private readonly FreeEnergyAnomalyDetectionOptions _options;

    internal FreeEnergyAnomalyDetectionTrainer(TransformsCatalog transforms, FreeEnergyAnomalyDetectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.FeatureColumnName);
        if (options.ThresholdMethod == ThresholdMethod.Fixed)
            throw new ArgumentException("The threshold is calibrated on the training data: use ThresholdMethod.FalsePositiveRate or ThresholdMethod.Contamination.", nameof(options));
        if (!(options.Rate >= 0 && options.Rate <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.Rate, "Rate must lie in [0, 1].");
        _transforms = transforms;
        _options = options;
    }

    /// <inheritdoc />
    public FreeEnergyAnomalyDetectionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        string column = _options.FeatureColumnName;
        var model = FreeEnergyModelTraining.Resolve(CatalogEnvironment.Of(_transforms), input, column, _options, out var rows);
        rows ??= InputColumn.Read(input, column);
        var scores = FreeEnergyModelTraining.Scores(model, rows.View, _options.SubtractInputComplexity);
        var threshold = AnomalyThreshold.Fit(scores, _options.ThresholdMethod, _options.Rate);
        var inner = OnnxPipeline.Build(_transforms, model, OnnxGraphKind.Score, ScoreColumnName, column, _options, _options.SubtractInputComplexity,
            threshold.Value, PredictedLabelColumnName).Fit(input);
        return new FreeEnergyAnomalyDetectionTransformer(inner, model, threshold, column, _options.SubtractInputComplexity);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        InputColumn.Check(inputSchema, _options.FeatureColumnName);
        return OutputShape.Scalars(_transforms, inputSchema, ScoreColumnName, PredictedLabelColumnName);
    }
}

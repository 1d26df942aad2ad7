using FreeEnergy.Evaluation;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// Options of <c>mlContext.AnomalyDetection.Trainers.FreeEnergy</c>: the model (trained on <c>Fit</c> or given) whose
/// free energy is the anomaly score, and how the decision threshold behind <c>PredictedLabel</c> is calibrated on the
/// training rows' scores.
/// </summary>
public sealed class FreeEnergyAnomalyDetectionOptions : FreeEnergyTransformOptions
{
    /// <summary>The input column: a known-size vector of Single. Default: "Features".</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>
    /// How the threshold is calibrated: <see cref="ThresholdMethod.FalsePositiveRate"/> (the training rows are normal; at
    /// most <see cref="Rate"/> of them are flagged) or <see cref="ThresholdMethod.Contamination"/> (a fraction
    /// <see cref="Rate"/> of the training rows are anomalies). Default: <see cref="ThresholdMethod.FalsePositiveRate"/>.
    /// </summary>
    public ThresholdMethod ThresholdMethod { get; set; } = ThresholdMethod.FalsePositiveRate;

    /// <summary>The target false positive rate or the contamination, see <see cref="ThresholdMethod"/>. Default: 0.05.</summary>
    public double Rate { get; set; } = 0.05;
}

using FreeEnergy.Evaluation;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// Options of <c>mlContext.AnomalyDetection.Trainers.FreeEnergy</c>: the model (trained on <c>Fit</c> or given) whose
/// free energy is the anomaly score, the score itself, and how the decision threshold behind <c>PredictedLabel</c> is
/// calibrated on the training rows' scores. Every default is in <see cref="FreeEnergyDefaults"/>.
/// </summary>
/// <example>
/// <code>
/// // One digit of MNIST as "normal": the measured best score for images (README, "ML.NET").
/// var detector = mlContext.AnomalyDetection.Trainers.FreeEnergy(new FreeEnergyAnomalyDetectionOptions
///     { Binarize = true, SubtractInputComplexity = true });
/// </code>
/// </example>
public sealed class FreeEnergyAnomalyDetectionOptions : FreeEnergyTransformOptions
{
    /// <summary>Creates the options with the detector's defaults (a <see cref="FreeEnergyDefaults.DetectorModelKind"/> model).</summary>
    public FreeEnergyAnomalyDetectionOptions() => ModelKind = FreeEnergyDefaults.DetectorModelKind;

    /// <summary>The input column: a known-size vector of Single. Default: <see cref="FreeEnergyDefaults.FeatureColumnName"/>.</summary>
    public string FeatureColumnName { get; set; } = FreeEnergyDefaults.FeatureColumnName;

    /// <summary>
    /// Score S(x) = F(x) - L(x): the free energy minus the input complexity L(x), the code length of the binarised image under
    /// a generic adaptive context model (Serrà et al. 2020). It removes the likelihood's preference for simple images (a model
    /// of 8s otherwise finds most 1s more normal than its own 8s). The rows must be square images with values in [0, 1].
    /// Computed inside the exported ONNX graph, so saved pipelines score the same. Default: false.
    /// </summary>
    public bool SubtractInputComplexity { get; set; }

    /// <summary>
    /// How the threshold is calibrated: <see cref="ThresholdMethod.FalsePositiveRate"/> (the training rows are normal; at
    /// most <see cref="Rate"/> of them are flagged) or <see cref="ThresholdMethod.Contamination"/> (a fraction
    /// <see cref="Rate"/> of the training rows are anomalies). Default: <see cref="FreeEnergyDefaults.ThresholdMethod"/>.
    /// </summary>
    public ThresholdMethod ThresholdMethod { get; set; } = FreeEnergyDefaults.ThresholdMethod;

    /// <summary>The target false positive rate or the contamination, see <see cref="ThresholdMethod"/>. Default: <see cref="FreeEnergyDefaults.Rate"/>.</summary>
    public double Rate { get; set; } = FreeEnergyDefaults.Rate;
}

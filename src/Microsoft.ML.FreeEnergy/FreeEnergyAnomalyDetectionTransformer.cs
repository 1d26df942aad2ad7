using Microsoft.ML.Data;
using FreeEnergy.Evaluation;
using FreeEnergy.Models;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// The fitted free-energy anomaly detector: adds <c>Score</c> (Single, the model's free energy in nats; higher = more
/// anomalous) and <c>PredictedLabel</c> (Boolean, Score above <see cref="Threshold"/>), the columns
/// <c>mlContext.AnomalyDetection.Evaluate</c> reads. Saving delegates to the ML.NET transformers inside.
/// </summary>
public sealed class FreeEnergyAnomalyDetectionTransformer : FreeEnergyTransformerBase
{
    internal FreeEnergyAnomalyDetectionTransformer(ITransformer inner, IFreeEnergyModel model, AnomalyThreshold threshold, string featureColumnName, bool subtractInputComplexity)
        : base(inner, model, featureColumnName, subtractInputComplexity)
    {
        Threshold = threshold;
        SubtractsInputComplexity = subtractInputComplexity;
        FeatureColumnName = featureColumnName;
    }

    /// <summary>The decision threshold calibrated on the training rows' scores.</summary>
    public AnomalyThreshold Threshold { get; }

    /// <summary>Whether <c>Score</c> is the free energy minus the input complexity L(x).</summary>
    public bool SubtractsInputComplexity { get; }

    /// <summary>The vector column scored.</summary>
    public string FeatureColumnName { get; }
}

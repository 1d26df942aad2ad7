using FreeEnergy.Models;
using FreeEnergy.Onnx;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// ML.NET catalog extensions of FreeEnergyML (DESIGN §6): <c>mlContext.Transforms.FreeEnergyEncode</c>,
/// <c>FreeEnergyReconstruct</c>, <c>FreeEnergyScore</c> and <c>mlContext.AnomalyDetection.Trainers.FreeEnergy</c>.
/// Each trains on <c>Fit</c> (RBM, Gaussian RBM or VAE) or wraps a trained model, and applies the model's ONNX graph
/// through Microsoft.ML.OnnxTransformer, so fitted pipelines save and load with <c>mlContext.Model</c>.
/// </summary>
/// <example>
/// <code>
/// var pipeline = mlContext.Transforms.FreeEnergyEncode("Hidden", "Features",
///     new FreeEnergyTransformOptions { ModelKind = FreeEnergyModelKind.BernoulliRbm, Rbm = { HiddenUnits = 64, Epochs = 5 } });
/// var model = pipeline.Fit(data);
/// </code>
/// </example>
public static class FreeEnergyCatalog
{
    /// <summary>Encodes each row of <paramref name="inputColumnName"/>: p(h=1|v) for RBMs, the latent mean for VAEs (vector of Single).</summary>
    public static FreeEnergyEstimator FreeEnergyEncode(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, FreeEnergyTransformOptions options)
        => new(catalog, OnnxGraphKind.Encode, outputColumnName, inputColumnName, options);

    /// <summary>Encodes with an already trained model.</summary>
    public static FreeEnergyEstimator FreeEnergyEncode(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, IFreeEnergyModel model)
        => catalog.FreeEnergyEncode(outputColumnName, inputColumnName, Wrap(model));

    /// <summary>Mean-field reconstruction of each row (vector of Single, the input's width).</summary>
    public static FreeEnergyEstimator FreeEnergyReconstruct(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, FreeEnergyTransformOptions options)
        => new(catalog, OnnxGraphKind.Reconstruct, outputColumnName, inputColumnName, options);

    /// <summary>Reconstructs with an already trained model.</summary>
    public static FreeEnergyEstimator FreeEnergyReconstruct(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, IFreeEnergyModel model)
        => catalog.FreeEnergyReconstruct(outputColumnName, inputColumnName, Wrap(model));

    /// <summary>The free energy of each row in nats (Single; RBM: F(v), VAE: the deterministic F_q). Higher means less like the training data.</summary>
    public static FreeEnergyEstimator FreeEnergyScore(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, FreeEnergyTransformOptions options)
        => new(catalog, OnnxGraphKind.Score, outputColumnName, inputColumnName, options);

    /// <summary>Scores with an already trained model.</summary>
    public static FreeEnergyEstimator FreeEnergyScore(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, IFreeEnergyModel model)
        => catalog.FreeEnergyScore(outputColumnName, inputColumnName, Wrap(model));

    /// <summary>
    /// A free-energy anomaly detector producing <c>Score</c> (higher = more anomalous) and <c>PredictedLabel</c> from a
    /// threshold calibrated on the training data; its output is what <c>mlContext.AnomalyDetection.Evaluate</c> reads.
    /// </summary>
    public static FreeEnergyAnomalyDetectionTrainer FreeEnergy(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog, FreeEnergyAnomalyDetectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        // ML.NET keeps a trainer catalog's context internal; the detector composes built-in transforms of that context.
        var context = MLContextOf.Find(catalog) ?? new MLContext();
        return new FreeEnergyAnomalyDetectionTrainer(context.Transforms, options ?? new FreeEnergyAnomalyDetectionOptions());
    }

    private static FreeEnergyTransformOptions Wrap(IFreeEnergyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new FreeEnergyTransformOptions { Model = model };
    }
}

using FreeEnergy.Models;
using FreeEnergy.Onnx;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// ML.NET catalog extensions of FreeEnergyML (DESIGN §6): <c>mlContext.Transforms.FreeEnergyEncode</c>,
/// <c>FreeEnergyReconstruct</c>, <c>FreeEnergyScore</c> and <c>mlContext.AnomalyDetection.Trainers.FreeEnergy</c>.
/// Each has a short overload with plain arguments, an overload taking options, and one that wraps a trained model.
/// Estimators train on <c>Fit</c> and apply the model's ONNX graph through Microsoft.ML.OnnxTransformer, so fitted
/// pipelines save and load with <c>mlContext.Model</c>. Defaults are in <see cref="FreeEnergyDefaults"/>.
/// </summary>
/// <example>
/// <code>
/// var pipeline = mlContext.Transforms.NormalizeMinMax("Features")
///     .Append(mlContext.Transforms.FreeEnergyEncode("Hidden", "Features", hiddenUnits: 64))
///     .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy(featureColumnName: "Hidden"));
/// var detector = mlContext.AnomalyDetection.Trainers.FreeEnergy(binarize: true, subtractInputComplexity: true);
/// </code>
/// </example>
public static class FreeEnergyCatalog
{
    /// <summary>
    /// Trains a model on <c>Fit</c> and encodes each row: p(h=1|v) for RBMs, the latent mean for VAEs (vector of Single).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The column to write.</param>
    /// <param name="inputColumnName">The known-size vector of Single to read; null reads <paramref name="outputColumnName"/>.</param>
    /// <param name="modelKind">The model to train.</param>
    /// <param name="hiddenUnits">The width of the encoding: RBM hidden units or VAE latent dimensions; null takes <see cref="FreeEnergyDefaults.HiddenUnits"/>, <see cref="FreeEnergyDefaults.LatentDimensions"/> or (two levels) <see cref="FreeEnergyDefaults.HierarchicalLatentDimensions"/>.</param>
    /// <param name="epochs">Passes over the training rows.</param>
    /// <param name="binarize">Threshold the inputs at 0.5 before training and encoding (recorded in the model and its graph).</param>
    /// <param name="seed">The training seed; null derives it from the <c>MLContext</c>'s seed.</param>
    public static FreeEnergyEstimator FreeEnergyEncode(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        FreeEnergyModelKind modelKind = FreeEnergyDefaults.TransformModelKind, int? hiddenUnits = null, int epochs = FreeEnergyDefaults.Epochs,
        bool binarize = false, int? seed = null)
        => new(catalog, OnnxGraphKind.Encode, outputColumnName, inputColumnName, Plain(modelKind, hiddenUnits, epochs, binarize, seed));

    /// <summary>Encodes each row with the model <paramref name="options"/> describes (trained on <c>Fit</c> or given).</summary>
    public static FreeEnergyEstimator FreeEnergyEncode(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName, FreeEnergyTransformOptions options)
        => new(catalog, OnnxGraphKind.Encode, outputColumnName, inputColumnName, options);

    /// <summary>Encodes with an already trained model.</summary>
    public static FreeEnergyEstimator FreeEnergyEncode(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName, IFreeEnergyModel model)
        => catalog.FreeEnergyEncode(outputColumnName, inputColumnName, Wrap(model));

    /// <summary>
    /// Trains a model on <c>Fit</c> and writes the mean-field reconstruction of each row (vector of Single, the input's width).
    /// The arguments are those of <see cref="FreeEnergyEncode(TransformsCatalog, string, string?, FreeEnergyModelKind, int?, int, bool, int?)"/>.
    /// </summary>
    public static FreeEnergyEstimator FreeEnergyReconstruct(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        FreeEnergyModelKind modelKind = FreeEnergyDefaults.TransformModelKind, int? hiddenUnits = null, int epochs = FreeEnergyDefaults.Epochs,
        bool binarize = false, int? seed = null)
        => new(catalog, OnnxGraphKind.Reconstruct, outputColumnName, inputColumnName, Plain(modelKind, hiddenUnits, epochs, binarize, seed));

    /// <summary>Reconstructs each row with the model <paramref name="options"/> describes.</summary>
    public static FreeEnergyEstimator FreeEnergyReconstruct(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName, FreeEnergyTransformOptions options)
        => new(catalog, OnnxGraphKind.Reconstruct, outputColumnName, inputColumnName, options);

    /// <summary>Reconstructs with an already trained model.</summary>
    public static FreeEnergyEstimator FreeEnergyReconstruct(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName, IFreeEnergyModel model)
        => catalog.FreeEnergyReconstruct(outputColumnName, inputColumnName, Wrap(model));

    /// <summary>
    /// Trains a model on <c>Fit</c> and writes the free energy of each row in nats (Single; RBM: F(v), VAE: the deterministic
    /// F_q). Higher means less like the training data. The arguments are those of
    /// <see cref="FreeEnergyEncode(TransformsCatalog, string, string?, FreeEnergyModelKind, int?, int, bool, int?)"/>.
    /// </summary>
    public static FreeEnergyEstimator FreeEnergyScore(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        FreeEnergyModelKind modelKind = FreeEnergyDefaults.TransformModelKind, int? hiddenUnits = null, int epochs = FreeEnergyDefaults.Epochs,
        bool binarize = false, int? seed = null)
        => new(catalog, OnnxGraphKind.Score, outputColumnName, inputColumnName, Plain(modelKind, hiddenUnits, epochs, binarize, seed));

    /// <summary>Scores each row with the model <paramref name="options"/> describes.</summary>
    public static FreeEnergyEstimator FreeEnergyScore(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName, FreeEnergyTransformOptions options)
        => new(catalog, OnnxGraphKind.Score, outputColumnName, inputColumnName, options);

    /// <summary>Scores with an already trained model.</summary>
    public static FreeEnergyEstimator FreeEnergyScore(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName, IFreeEnergyModel model)
        => catalog.FreeEnergyScore(outputColumnName, inputColumnName, Wrap(model));

    /// <summary>
    /// A free-energy anomaly detector producing <c>Score</c> (higher = more anomalous) and <c>PredictedLabel</c> from a
    /// threshold calibrated on the training rows; its output is what <c>mlContext.AnomalyDetection.Evaluate</c> reads.
    /// </summary>
    /// <param name="catalog">The anomaly-detection trainers catalog.</param>
    /// <param name="featureColumnName">The known-size vector of Single to score.</param>
    /// <param name="modelKind">The model to train.</param>
    /// <param name="epochs">Passes over the training rows.</param>
    /// <param name="binarize">Threshold the inputs at 0.5 (images in [0, 1]).</param>
    /// <param name="subtractInputComplexity">Score F(x) - L(x), the free energy minus the input's complexity (square images in [0, 1]); see <see cref="FreeEnergyAnomalyDetectionOptions.SubtractInputComplexity"/>.</param>
    /// <param name="falsePositiveRate">The fraction of training rows the threshold flags.</param>
    /// <param name="seed">The training seed; null derives it from the <c>MLContext</c>'s seed.</param>
    public static FreeEnergyAnomalyDetectionTrainer FreeEnergy(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog,
        string featureColumnName = FreeEnergyDefaults.FeatureColumnName, FreeEnergyModelKind modelKind = FreeEnergyDefaults.DetectorModelKind,
        int epochs = FreeEnergyDefaults.Epochs, bool binarize = false, bool subtractInputComplexity = false,
        double falsePositiveRate = FreeEnergyDefaults.Rate, int? seed = null)
    {
        var options = new FreeEnergyAnomalyDetectionOptions
        {
            FeatureColumnName = featureColumnName,
            ModelKind = modelKind,
            Binarize = binarize,
            SubtractInputComplexity = subtractInputComplexity,
            Rate = falsePositiveRate,
            Seed = seed,
        };
        options.Rbm.Epochs = options.Vae.Epochs = epochs;
        return catalog.FreeEnergy(options);
    }

    /// <summary>The free-energy anomaly detector that <paramref name="options"/> describes.</summary>
    public static FreeEnergyAnomalyDetectionTrainer FreeEnergy(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog, FreeEnergyAnomalyDetectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        // ML.NET keeps a trainer catalog's context internal; the detector composes built-in transforms of that context.
        return new FreeEnergyAnomalyDetectionTrainer(CatalogEnvironment.Transforms(CatalogEnvironment.Of(catalog)), options);
    }

    private static FreeEnergyTransformOptions Plain(FreeEnergyModelKind modelKind, int? hiddenUnits, int epochs, bool binarize, int? seed)
    {
        var options = new FreeEnergyTransformOptions { ModelKind = modelKind, Binarize = binarize, Seed = seed };
        options.Rbm.Epochs = options.Vae.Epochs = epochs;
        options.Rbm.HiddenUnits = hiddenUnits ?? FreeEnergyDefaults.HiddenUnits;
        options.Vae.LatentDimensions = hiddenUnits; // null: by depth (FreeEnergyVaeOptions.LatentDimensions)
        return options;
    }

    private static FreeEnergyTransformOptions Wrap(IFreeEnergyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new FreeEnergyTransformOptions { Model = model };
    }
}

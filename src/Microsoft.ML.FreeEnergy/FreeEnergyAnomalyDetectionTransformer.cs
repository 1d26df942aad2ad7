using Microsoft.ML.Data;
using FreeEnergy.Evaluation;
using FreeEnergy.Models;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// The fitted free-energy anomaly detector: adds <c>Score</c> (Single, the model's free energy in nats; higher = more
/// anomalous) and <c>PredictedLabel</c> (Boolean, Score above <see cref="Threshold"/>), the columns
/// <c>mlContext.AnomalyDetection.Evaluate</c> reads. Saving delegates to the ML.NET transformers inside.
/// </summary>
public sealed class FreeEnergyAnomalyDetectionTransformer : ITransformer
{
    private readonly ITransformer _inner;

    internal FreeEnergyAnomalyDetectionTransformer(ITransformer inner, IFreeEnergyModel model, AnomalyThreshold threshold, string featureColumnName)
    {
        _inner = inner;
        Model = model;
        Threshold = threshold;
        FeatureColumnName = featureColumnName;
    }

    /// <summary>The trained (or wrapped) engine model whose free energy is the score.</summary>
    public IFreeEnergyModel Model { get; }

    /// <summary>The decision threshold calibrated on the training rows' scores.</summary>
    public AnomalyThreshold Threshold { get; }

    /// <summary>The vector column scored.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The ML.NET transformers that do the work (OnnxTransformer first).</summary>
    public ITransformer Inner => _inner;

    /// <inheritdoc />
    public bool IsRowToRowMapper => _inner.IsRowToRowMapper;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        FreeEnergyModelTraining.CheckWidth(Model, InputColumn.CheckedWidth(inputSchema, FeatureColumnName), FeatureColumnName);
        return _inner.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        FreeEnergyModelTraining.CheckWidth(Model, InputColumn.CheckedWidth(inputSchema, FeatureColumnName), FeatureColumnName);
        return _inner.GetRowToRowMapper(inputSchema);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        FreeEnergyModelTraining.CheckWidth(Model, InputColumn.CheckedWidth(input.Schema, FeatureColumnName), FeatureColumnName);
        return _inner.Transform(input);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) => _inner.Save(ctx);
}

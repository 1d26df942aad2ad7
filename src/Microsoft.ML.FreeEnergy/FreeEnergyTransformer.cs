using Microsoft.ML.Data;
using FreeEnergy.Models;
using FreeEnergy.Onnx;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// The result of fitting a FreeEnergy transform: the model's exported ONNX graph applied by ML.NET's OnnxTransformer.
/// Exposes the trained <see cref="Model"/>; saving delegates to the ML.NET transformers inside, so
/// <c>mlContext.Model.Save</c> writes plain ML.NET transforms that <c>mlContext.Model.Load</c> reads back and scores
/// identically.
/// </summary>
public sealed class FreeEnergyTransformer : ITransformer
{
    private readonly ITransformer _inner;

    internal FreeEnergyTransformer(ITransformer inner, IFreeEnergyModel model, OnnxGraphKind graph, string outputColumnName, string inputColumnName)
    {
        _inner = inner;
        Model = model;
        Graph = graph;
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
    }

    /// <summary>The trained (or wrapped) engine model.</summary>
    public IFreeEnergyModel Model { get; }

    /// <summary>Which graph the transform applies (encode, reconstruct or score).</summary>
    public OnnxGraphKind Graph { get; }

    /// <summary>The column the transform writes.</summary>
    public string OutputColumnName { get; }

    /// <summary>The vector column the transform reads.</summary>
    public string InputColumnName { get; }

    /// <summary>The ML.NET transformers that do the work (OnnxTransformer first).</summary>
    public ITransformer Inner => _inner;

    /// <inheritdoc />
    public bool IsRowToRowMapper => _inner.IsRowToRowMapper;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        FreeEnergyModelTraining.CheckWidth(Model, InputColumn.CheckedWidth(inputSchema, InputColumnName), InputColumnName);
        return _inner.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        FreeEnergyModelTraining.CheckWidth(Model, InputColumn.CheckedWidth(inputSchema, InputColumnName), InputColumnName);
        return _inner.GetRowToRowMapper(inputSchema);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        FreeEnergyModelTraining.CheckWidth(Model, InputColumn.CheckedWidth(input.Schema, InputColumnName), InputColumnName);
        return _inner.Transform(input);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) => _inner.Save(ctx);
}

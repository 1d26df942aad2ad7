using Microsoft.ML.Data;
using FreeEnergy.Models;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// What every fitted FreeEnergy transformer shares: an engine <see cref="Model"/> reading one vector column, and the
/// ML.NET transformers (OnnxTransformer first) that do the work. Every call checks the column's width against the
/// model and then delegates, saving included, so <c>mlContext.Model.Save</c> writes plain ML.NET transforms.
/// </summary>
public abstract class FreeEnergyTransformerBase : ITransformer
{
    private readonly ITransformer _inner;
    private readonly string _featureColumnName;

    private protected FreeEnergyTransformerBase(ITransformer inner, IFreeEnergyModel model, string featureColumnName)
    {
        _inner = inner;
        _featureColumnName = featureColumnName;
        Model = model;
    }

    /// <summary>The trained (or wrapped) engine model.</summary>
    public IFreeEnergyModel Model { get; }

    /// <summary>The ML.NET transformers that do the work (OnnxTransformer first).</summary>
    public ITransformer Inner => _inner;

    /// <inheritdoc />
    public bool IsRowToRowMapper => _inner.IsRowToRowMapper;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckWidth(inputSchema);
        return _inner.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        CheckWidth(inputSchema);
        return _inner.GetRowToRowMapper(inputSchema);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckWidth(input.Schema);
        return _inner.Transform(input);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) => _inner.Save(ctx);

    private void CheckWidth(DataViewSchema schema) =>
        FreeEnergyModelTraining.CheckWidth(Model, InputColumn.CheckedWidth(schema, _featureColumnName), _featureColumnName);
}

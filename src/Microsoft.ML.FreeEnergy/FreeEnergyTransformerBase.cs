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

    private readonly bool _subtractInputComplexity;

    private protected FreeEnergyTransformerBase(ITransformer inner, IFreeEnergyModel model, string featureColumnName, bool subtractInputComplexity)
    {
        _inner = inner;
        _featureColumnName = featureColumnName;
        _subtractInputComplexity = subtractInputComplexity;
        Model = model;
    }

    /// <summary>Rows per block of <see cref="ScoreRows"/>.</summary>
    public const int ScoreBlockRows = 4096;

    /// <summary>
    /// The bulk path for scoring: the score of every row of <paramref name="data"/> (the free energy as the score column of
    /// <c>FreeEnergyScore</c> and of the detector holds it, complexity-corrected where the detector is), computed by the
    /// engine on blocks of <see cref="ScoreBlockRows"/> rows read from the input column. Equal to what <see cref="Transform"/>
    /// writes to 1e-5, without ML.NET's one-row-at-a-time ONNX calls (README, "ML.NET": the measured difference); the
    /// saved pipeline stays the <see cref="Transform"/> path.
    /// </summary>
    /// <example>
    /// <code>
    /// float[] scores = detector.ScoreRows(mlContext.Data.LoadFromTextFile&lt;Row&gt;("events.csv"));
    /// </code>
    /// </example>
    public float[] ScoreRows(IDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckWidth(data.Schema);
        var scores = new List<float>();
        InputColumn.ReadBlocks(data, _featureColumnName, ScoreBlockRows,
            block => scores.AddRange(FreeEnergyModelTraining.Scores(Model, block, _subtractInputComplexity)));
        return scores.ToArray();
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

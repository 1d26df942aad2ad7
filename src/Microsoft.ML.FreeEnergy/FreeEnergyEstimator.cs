using FreeEnergy.Models;
using FreeEnergy.Onnx;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// Estimator of the FreeEnergy transforms. <c>Fit</c> reads the input vector column, trains the model the options ask
/// for (or takes the given one), exports its ONNX graph and applies it with <c>ApplyOnnxModel</c>. Create it with
/// <c>mlContext.Transforms.FreeEnergyEncode</c>, <c>FreeEnergyReconstruct</c> or <c>FreeEnergyScore</c>.
/// </summary>
public sealed class FreeEnergyEstimator : IEstimator<FreeEnergyTransformer>
{
    private readonly TransformsCatalog _transforms;
    private readonly OnnxGraphKind _graph;
    private readonly string _output, _input;
    private readonly FreeEnergyTransformOptions _options;

    internal FreeEnergyEstimator(TransformsCatalog transforms, OnnxGraphKind graph, string outputColumnName, string? inputColumnName, FreeEnergyTransformOptions options)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentNullException.ThrowIfNull(options);
        _transforms = transforms;
        _graph = graph;
        _output = outputColumnName;
        _input = string.IsNullOrEmpty(inputColumnName) ? outputColumnName : inputColumnName;
        _options = options;
    }

    /// <inheritdoc />
    public FreeEnergyTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var model = FreeEnergyModelTraining.Resolve(CatalogEnvironment.Of(_transforms), input, _input, _options, out _);
        var inner = OnnxPipeline.Build(_transforms, model, _graph, _output, _input, _options).Fit(input);
        return new FreeEnergyTransformer(inner, model, _graph, _output, _input);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        InputColumn.Check(inputSchema, _input);
        return _graph == OnnxGraphKind.Score ? OutputShape.Scalars(_transforms, inputSchema, _output) : OutputShape.Vector(_transforms, inputSchema, _output, _input);
    }
}

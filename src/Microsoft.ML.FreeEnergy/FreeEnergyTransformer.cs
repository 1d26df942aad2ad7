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
public sealed class FreeEnergyTransformer : FreeEnergyTransformerBase
{
    internal FreeEnergyTransformer(ITransformer inner, IFreeEnergyModel model, OnnxGraphKind graph, string outputColumnName, string inputColumnName)
        : base(inner, model, inputColumnName, subtractInputComplexity: false)
    {
        Graph = graph;
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
    }

    /// <summary>Which graph the transform applies (encode, reconstruct or score).</summary>
    public OnnxGraphKind Graph { get; }

    /// <summary>The column the transform writes.</summary>
    public string OutputColumnName { get; }

    /// <summary>The vector column the transform reads.</summary>
    public string InputColumnName { get; }
}

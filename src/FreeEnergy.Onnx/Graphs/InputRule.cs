using FreeEnergy.Data.Preprocessing;
using FreeEnergy.Persistence;

namespace FreeEnergy.Onnx.Graphs;

/// <summary>
/// The rule a model applies to its input before anything else, recorded in its document at training time: a model
/// trained on binarised rows (<c>train --binarize</c>, or the ML.NET options' <c>Binarize</c>) has the annotation
/// <see cref="ThresholdBinarizer.ModelAnnotation"/>, and its graphs binarise the input the same way (x &gt; 0.5 becomes 1).
/// </summary>
internal static class InputRule
{
    /// <summary>The graph value the model reads: <paramref name="features"/>, binarised when the document asks for it.</summary>
    public static string Apply(GraphBuilder g, ModelDocument document, string features)
        => ThresholdBinarizer.IsRecordedIn(document.Hyperparameters) ? g.Above(features, 0.5f) : features;
}

using System.Globalization;
using Microsoft.ML.Data;
using FreeEnergy.Models;
using FreeEnergy.Onnx;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// The ML.NET pipeline that applies one exported graph: <c>ApplyOnnxModel</c> on the graph whose input and output are
/// renamed to the columns, and for scores the step from the one-slot vector to a Single column (and, for anomaly
/// detection, <c>PredictedLabel</c> = Score &gt; threshold). Every step is a built-in saveable ML.NET transform.
/// </summary>
internal static class OnnxPipeline
{
    public static IEstimator<ITransformer> Build(TransformsCatalog transforms, IFreeEnergyModel model, OnnxGraphKind graph,
        string outputColumnName, string inputColumnName, FreeEnergyTransformOptions options, bool subtractInputComplexity = false,
        double? threshold = null, string? predictedLabelColumnName = null)
    {
        string graphOutput = graph switch
        {
            OnnxGraphKind.Encode => model is IVariationalModel ? OnnxNames.LatentMean : OnnxNames.Hidden,
            OnnxGraphKind.Reconstruct => OnnxNames.Reconstruction,
            OnnxGraphKind.Score => subtractInputComplexity ? OnnxNames.CorrectedFreeEnergy : OnnxNames.FreeEnergy,
            _ => throw new ArgumentOutOfRangeException(nameof(graph), graph, "one of Encode, Reconstruct or Score."),
        };
        bool scalar = graph == OnnxGraphKind.Score;
        foreach (var reserved in new[] { ScalarScoreMapping.VectorColumn, ScalarScoreMapping.ScalarColumn })
            if (outputColumnName == reserved || inputColumnName == reserved) throw new ArgumentException($"Column name '{reserved}' is reserved for the FreeEnergy pipeline.");
        // OnnxTransformer binds columns to graph values by name, and a graph cannot use one name for input and output.
        string onnxOutput = scalar ? ScalarScoreMapping.VectorColumn
            : outputColumnName == inputColumnName ? "FreeEnergyML." + outputColumnName : outputColumnName;

        var renames = new Dictionary<string, string>(StringComparer.Ordinal) { [OnnxNames.Features] = inputColumnName, [graphOutput] = onnxOutput };
        var export = new OnnxExportOptions { SubtractInputComplexity = subtractInputComplexity };
        byte[] onnx = OnnxNameRewriter.Rename(OnnxExporter.Export(model, graph, export), renames);
        IEstimator<ITransformer> pipeline = transforms.ApplyOnnxModel(new[] { onnxOutput }, new[] { inputColumnName }, new MemoryStream(onnx, writable: false),
            options.GpuDeviceId, options.FallbackToCpu);
        if (scalar)
        {
            pipeline = pipeline
                .Append(transforms.CustomMapping(new ScalarScoreMapping().GetMapping(), ScalarScoreMapping.ContractName))
                .Append(transforms.CopyColumns(outputColumnName, ScalarScoreMapping.ScalarColumn))
                .Append(transforms.DropColumns(ScalarScoreMapping.VectorColumn, ScalarScoreMapping.ScalarColumn));
            if (threshold is double t)
            {
                // Same rule as AnomalyThreshold.IsAnomaly: anomalous unless score <= threshold (so NaN scores are flagged).
                string expression = "s => !(s <= " + t.ToString("R", CultureInfo.InvariantCulture) + "d)";
                pipeline = pipeline.Append(transforms.Expression(predictedLabelColumnName ?? "PredictedLabel", expression, outputColumnName));
            }
        }
        else if (onnxOutput != outputColumnName)
        {
            pipeline = pipeline.Append(transforms.CopyColumns(outputColumnName, onnxOutput)).Append(transforms.DropColumns(onnxOutput));
        }
        return pipeline;
    }
}

/// <summary>
/// The schema shape of a FreeEnergy step's output, built from the column types alone: no model is trained or exported.
/// ML.NET's <c>SchemaShape.Column</c> has no public constructor, so the added columns come from the shapes of built-in
/// estimators that add a column of that type (never fitted): a copy of the input vector for encodings and reconstructions
/// (ML.NET's shapes carry no vector sizes), a custom mapping's output for Single and Boolean columns.
/// </summary>
internal static class OutputShape
{
    /// <summary><paramref name="input"/> with a known-size vector of Single named <paramref name="output"/>, shaped like <paramref name="source"/>.</summary>
    public static SchemaShape Vector(TransformsCatalog transforms, SchemaShape input, string output, string source)
        => transforms.CopyColumns(output, source).GetOutputSchema(input);

    /// <summary><paramref name="input"/> with a Single column <paramref name="score"/> and, when given, a Boolean column <paramref name="label"/>.</summary>
    public static SchemaShape Scalars(TransformsCatalog transforms, SchemaShape input, string score, string? label = null)
    {
        var definition = SchemaDefinition.Create(typeof(ScalarColumns));
        definition[nameof(ScalarColumns.Score)].ColumnName = score;
        if (label is null) definition.Remove(definition[nameof(ScalarColumns.Label)]);
        else definition[nameof(ScalarColumns.Label)].ColumnName = label;
        return transforms.CustomMapping<NoColumns, ScalarColumns>((_, _) => { }, null, outputSchemaDefinition: definition).GetOutputSchema(input);
    }

    private sealed class NoColumns;

    private sealed class ScalarColumns
    {
        public float Score { get; set; }

        public bool Label { get; set; }
    }
}

using FreeEnergy.Models;
using FreeEnergy.Onnx.Graphs;
using FreeEnergy.Persistence;
using Google.Protobuf;

namespace FreeEnergy.Onnx;

/// <summary>
/// Exports a model (as its <see cref="ModelDocument"/>) to a self-contained ONNX model (opset 17, IR 8):
/// input <c>features</c> float32 [N, D] with N dynamic, outputs named by <see cref="OnnxNames"/> (DESIGN §4).
/// The metadata records the model kind, the graph kind, the hyperparameters (JSON) and the library version.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX operator set version of the graphs.</summary>
    public const int OpsetVersion = (int)GraphBuilder.Opset;

    /// <summary>The encoded ONNX model of <paramref name="graph"/> for <paramref name="model"/>.</summary>
    public static byte[] Export(IFreeEnergyModel model, OnnxGraphKind graph) => Export(model, graph, OnnxExportOptions.Default);

    /// <summary>The encoded ONNX model of <paramref name="graph"/> for <paramref name="model"/>, with the extra outputs <paramref name="options"/> asks for.</summary>
    public static byte[] Export(IFreeEnergyModel model, OnnxGraphKind graph, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Build(model.ToDocument(), graph, options).Bytes;
    }

    /// <summary>
    /// The encoded ONNX model of <paramref name="graph"/> for the model in <paramref name="document"/>; a
    /// <see cref="ModelFileException"/> when the document lacks a tensor or hyperparameter the graph needs.
    /// </summary>
    public static byte[] Export(ModelDocument document, OnnxGraphKind graph) => Build(document, graph, OnnxExportOptions.Default).Bytes;

    private static (byte[] Bytes, IReadOnlyList<string> Outputs) Build(ModelDocument document, OnnxGraphKind graph, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(options);
        string graphName = OnnxNames.GraphName(graph);
        var builder = new GraphBuilder(GraphIdentifier(document.Kind) + "_" + graphName);
        IReadOnlyList<string> outputs = document.Kind switch
        {
            ModelKinds.BernoulliRbm or ModelKinds.GaussianRbm => RbmGraph.Build(builder, document, graph),
            ModelKinds.Vae => VaeGraph.Build(builder, document, graph),
            ModelKinds.HierarchicalVae => TwoLevelVaeGraph.Build(builder, document, graph),
            _ => throw new ModelFileException($"model kind '{document.Kind}' has no ONNX export (expected {ModelKinds.BernoulliRbm}, {ModelKinds.GaussianRbm}, {ModelKinds.Vae} or {ModelKinds.HierarchicalVae})."),
        };
        if (options.SubtractInputComplexity && graph is OnnxGraphKind.Score or OnnxGraphKind.All)
            outputs = [.. outputs, .. SubtractInputComplexity(builder, document)];
        string doc = $"{LibraryInfo.Name} {document.Kind} '{graphName}' graph: input {OnnxNames.Features} [N,D] -> {string.Join(", ", outputs)}.";
        var model = builder.Build(LibraryInfo.Name, LibraryInfo.Version, doc, ExportMetadata.For(document, graph, outputs));
        return (model.ToByteArray(), outputs);
    }

    /// <summary>Writes the ONNX model to <paramref name="destination"/>.</summary>
    public static void Export(ModelDocument document, OnnxGraphKind graph, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var bytes = Export(document, graph);
        destination.Write(bytes, 0, bytes.Length);
    }

    /// <summary>
    /// Writes the ONNX model to <paramref name="path"/> atomically: a temporary file in the same folder,
    /// flushed to disk, then moved over the destination (an existing file is replaced).
    /// </summary>
    /// <returns>What was written: the full path, the size and the graph's output names.</returns>
    public static OnnxExportResult ExportToFile(ModelDocument document, OnnxGraphKind graph, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (bytes, outputs) = Build(document, graph, OnnxExportOptions.Default);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
            return new OnnxExportResult(full, bytes.LongLength, outputs);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Adds L(x) and free_energy - L(x) to a score graph (<see cref="OnnxExportOptions.SubtractInputComplexity"/>).</summary>
    private static string[] SubtractInputComplexity(GraphBuilder builder, ModelDocument document)
    {
        int inputs = document.Kind switch
        {
            ModelKinds.Vae => Graphs.VaeLayout.Read(document).Input,
            ModelKinds.HierarchicalVae => TwoLevelVaeLayout.Read(document).Input,
            _ => DocumentReading.Matrix(document, "weights").Rows,
        };
        int side = OnnxExportOptions.ImageSide(inputs);
        string codeLength = InputComplexityGraph.CodeLength(builder, OnnxNames.Features, side, side);
        builder.Output(OnnxNames.InputComplexity, codeLength, new long?[] { null });
        builder.Output(OnnxNames.CorrectedFreeEnergy, builder.Sub(OnnxNames.FreeEnergy, codeLength), new long?[] { null });
        return [OnnxNames.InputComplexity, OnnxNames.CorrectedFreeEnergy];
    }

    private static string GraphIdentifier(string kind) => "freeenergy_" + kind.Replace('-', '_');
}

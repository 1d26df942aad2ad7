namespace FreeEnergy.Onnx;

/// <summary>What <see cref="OnnxExporter.ExportToFile"/> wrote.</summary>
/// <param name="Path">The full path of the ONNX file.</param>
/// <param name="Bytes">Its size in bytes.</param>
/// <param name="Outputs">The graph's output names, in order (see <see cref="OnnxNames"/>).</param>
public sealed record OnnxExportResult(string Path, long Bytes, IReadOnlyList<string> Outputs);

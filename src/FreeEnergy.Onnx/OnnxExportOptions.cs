namespace FreeEnergy.Onnx;

/// <summary>
/// What an exported score graph computes beside the model's own outputs. The defaults export the model as it is.
/// </summary>
/// <example>
/// <code>
/// // A score graph whose free_energy_corrected output is F(x) - L(x) for 28x28 images:
/// byte[] onnx = OnnxExporter.Export(model, OnnxGraphKind.Score, new OnnxExportOptions { SubtractInputComplexity = true });
/// </code>
/// </example>
public sealed record OnnxExportOptions
{
    /// <summary>
    /// Adds the outputs <see cref="OnnxNames.InputComplexity"/> (L(x), the input's code length in nats under the generic
    /// adaptive context model of <c>FreeEnergy.Estimation.InputComplexity</c>) and <see cref="OnnxNames.CorrectedFreeEnergy"/>
    /// (<c>free_energy</c> - L(x), Serrà et al. 2020) to the score graph. The rows must be square images (D = side x side)
    /// with values in [0, 1]. Default: false.
    /// </summary>
    public bool SubtractInputComplexity { get; init; }

    /// <summary>The options that export the model as it is.</summary>
    public static OnnxExportOptions Default { get; } = new();

    /// <summary>The side of the square images of <paramref name="inputs"/> values; an exception when there is none.</summary>
    internal static int ImageSide(int inputs)
        => (Estimation.InputComplexity.ForSquareImages(inputs)
            ?? throw new ArgumentException($"the input complexity needs square images, but the model takes {inputs} values per row, which is not a square (e.g. 784 = 28 x 28)."))
            .Width;
}

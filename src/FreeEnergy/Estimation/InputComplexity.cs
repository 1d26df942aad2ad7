using FreeEnergy.Tensors;

namespace FreeEnergy.Estimation;

/// <summary>
/// A class-independent estimate L(x) of an image's input complexity: its code length in nats under a universal
/// adaptive context model of the binarised image, the scheme of the JBIG bi-level coders. Pixels are coded in raster
/// order; each pixel's probability of being 1 is the Krichevsky-Trofimov estimate (n1 + 1/2) / (n + 1) from the counts
/// of the image's earlier pixels that had the same causal context, the four neighbours west, north-west, north and
/// north-east (outside the image counts as 0). Nothing is trained: L(x) depends on the image alone.
/// </summary>
/// <remarks>
/// Likelihood-based anomaly scores (free energy, -log p) are dominated by input complexity: simple images (few ink
/// pixels, such as a '1' in MNIST) get high likelihood under any model, even one trained on other images. Serrà et al.
/// (2020, "Input complexity and out-of-distribution detection with likelihood-based generative models", ICLR) subtract
/// a generic compressor's code length: S(x) = -log p(x) - L(x), a log-likelihood ratio of the model against a universal
/// model, which is what <see cref="Correct(ReadOnlySpan{float}, ReadOnlySpan{float})"/> computes. Both terms are code
/// lengths of the same binary image in nats, so the model's score should be one of the binarised image too (train and
/// score on binarised data); for a ranking within one model, -log p and the free energy F differ by the constant log Z.
/// </remarks>
/// <example>
/// <code>
/// var complexity = new InputComplexity(28, 28);
/// float[] score = InputComplexity.Correct(rbm.FreeEnergy(rows), complexity.CodeLengths(rows));
/// </code>
/// </example>
public sealed class InputComplexity
{
    /// <summary>Number of causal neighbours in the context template (west, north-west, north, north-east).</summary>
    public const int ContextBits = 4;

    /// <summary>A complexity estimator for images of <paramref name="width"/> x <paramref name="height"/> pixels stored row by row.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A side is not positive.</exception>
    public InputComplexity(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
    }

    /// <summary>
    /// The estimator for rows of <paramref name="pixels"/> values read as square images (side x side), or null when
    /// <paramref name="pixels"/> is not a square; callers say what that means for their input.
    /// </summary>
    public static InputComplexity? ForSquareImages(int pixels)
    {
        int side = (int)Math.Round(Math.Sqrt(pixels));
        return side > 0 && side * side == pixels ? new InputComplexity(side, side) : null;
    }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Binarisation threshold: a pixel is 1 when its value is strictly greater. Default: 0.5 (data in [0, 1]).</summary>
    public float Threshold { get; init; } = 0.5f;

    /// <summary>The code length L(x) in nats of every row of <paramref name="rows"/> (one image per row).</summary>
    /// <exception cref="ArgumentException">The row length is not <see cref="Width"/> x <see cref="Height"/>.</exception>
    public float[] CodeLengths(MatrixView rows)
    {
        CheckLength(rows.Columns);
        var result = new float[rows.Rows];
        for (int r = 0; r < rows.Rows; r++) result[r] = (float)CodeLengthUnchecked(rows.Row(r));
        return result;
    }

    /// <summary>The code length L(x) in nats of one image.</summary>
    /// <exception cref="ArgumentException">The length is not <see cref="Width"/> x <see cref="Height"/>.</exception>
    public double CodeLength(ReadOnlySpan<float> image)
    {
        CheckLength(image.Length);
        return CodeLengthUnchecked(image);
    }

    /// <summary>
    /// The complexity-corrected score S = score - L: the model's code length (-log p, or the free energy F when one
    /// model's rows are only ranked) minus the generic one. Higher is more anomalous.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static float[] Correct(ReadOnlySpan<float> scores, ReadOnlySpan<float> codeLengths)
    {
        if (scores.Length != codeLengths.Length)
            throw new ArgumentException($"{scores.Length} scores but {codeLengths.Length} code lengths.", nameof(codeLengths));
        var result = new float[scores.Length];
        for (int i = 0; i < result.Length; i++) result[i] = scores[i] - codeLengths[i];
        return result;
    }

    private void CheckLength(int length)
    {
        if (length != (long)Width * Height)
            throw new ArgumentException($"an image has {length} values; a {Width}x{Height} image needs {(long)Width * Height}.");
    }

    private double CodeLengthUnchecked(ReadOnlySpan<float> image)
    {
        // counts[2 * context + bit]; both start at 0 and the KT estimate adds 1/2 to each.
        Span<int> counts = stackalloc int[2 << ContextBits];
        counts.Clear();
        int w = Width;
        float t = Threshold;
        double length = 0;
        for (int y = 0; y < Height; y++)
        {
            int row = y * w, above = row - w;
            for (int x = 0; x < w; x++)
            {
                int west = x > 0 && image[row + x - 1] > t ? 1 : 0;
                int northWest = y > 0 && x > 0 && image[above + x - 1] > t ? 1 : 0;
                int north = y > 0 && image[above + x] > t ? 1 : 0;
                int northEast = y > 0 && x + 1 < w && image[above + x + 1] > t ? 1 : 0;
                int context = west | northWest << 1 | north << 2 | northEast << 3;
                int bit = image[row + x] > t ? 1 : 0;
                int seen = counts[2 * context] + counts[2 * context + 1];
                length -= Math.Log((counts[2 * context + bit] + 0.5) / (seen + 1.0));
                counts[2 * context + bit]++;
            }
        }
        return length;
    }
}

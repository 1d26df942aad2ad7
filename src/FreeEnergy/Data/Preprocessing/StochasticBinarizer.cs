using FreeEnergy.Compute.Random;
using FreeEnergy.Tensors;

namespace FreeEnergy.Data.Preprocessing;

/// <summary>
/// Stochastic binarisation of probabilities in [0, 1]: x' = 1 with probability x (u &lt; x, u uniform in
/// [0, 1)). The uniform for element (row, column) is Philox word <c>row * columns + column</c> of stream
/// <c>Philox.Stream(StreamPurpose, pass)</c> under <see cref="Seed"/>, so the result depends only on the seed,
/// the pass and the element's global position -- not on batching or threads.
/// </summary>
public sealed class StochasticBinarizer
{
    /// <summary>The stream purpose id mixed into the Philox stream (distinguishes these draws from training's).</summary>
    public const ulong StreamPurpose = 0xB1A7_0001;

    /// <summary>The Philox key. Default: 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Returns a binarised copy of <paramref name="data"/>; <paramref name="pass"/> selects fresh draws (e.g. per epoch).</summary>
    public Matrix Transform(Matrix data, ulong pass = 0, long firstRow = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        var copy = data.Clone();
        TransformInPlace(copy, pass, firstRow);
        return copy;
    }

    /// <summary>
    /// Binarises <paramref name="data"/> in place. <paramref name="firstRow"/> is the global index of its first
    /// row, so a batch of a larger data set gets the same draws as the whole set would.
    /// </summary>
    public void TransformInPlace(Matrix data, ulong pass = 0, long firstRow = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        if (data.Data.Length == 0) return;
        ulong stream = Philox.Stream(StreamPurpose, pass);
        var values = data.AsSpan();
        var uniforms = new float[Math.Min(values.Length, 1 << 14)];
        ulong start = (ulong)firstRow * (ulong)data.Columns;
        for (int offset = 0; offset < values.Length; offset += uniforms.Length)
        {
            int n = Math.Min(uniforms.Length, values.Length - offset);
            var u = uniforms.AsSpan(0, n);
            Philox.FillUniform(Seed, stream, start + (ulong)offset, u);
            var chunk = values.Slice(offset, n);
            for (int i = 0; i < n; i++) chunk[i] = u[i] < chunk[i] ? 1f : 0f;
        }
    }
}

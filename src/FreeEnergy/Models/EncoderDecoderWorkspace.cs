using FreeEnergy.Compute;
using FreeEnergy.Tensors;

namespace FreeEnergy.Models;

/// <summary>
/// What the CPU workspaces of the one- and two-level VAE share: the bottom level's encoder x -&gt; [mu | log variance] of
/// q(z|x) and decoder z -&gt; p(x|z) over up to <see cref="Capacity"/> rows, the Gaussian decoder's variance, the
/// per-row -log p(x|z), the training gradient and the Philox draws; and the read-only passes of a model through them,
/// chunk by chunk (<see cref="EncodeDistribution"/>, <see cref="Decode(MatrixView, int, string, Func{int, EncoderDecoderWorkspace})"/>).
/// </summary>
internal abstract class EncoderDecoderWorkspace
{
    /// <summary>Most rows per chunk of the read-only passes.</summary>
    public const int ChunkRows = 256;

    private readonly int _input, _latent, _drawWidth;
    private readonly VaeLikelihood _likelihood;
    private readonly Action<int, int> _noiseBody;

    /// <summary>
    /// The shared buffers for up to <paramref name="capacity"/> rows over the model's own <paramref name="parameters"/>:
    /// Z = <paramref name="latent"/> (what the decoder reads), the gradient when <paramref name="training"/>, the input
    /// rows <see cref="X"/> when <paramref name="holdsInput"/>.
    /// </summary>
    protected EncoderDecoderWorkspace(VaeParameterLayout layout, int latent, float[] parameters, IComputeBackend backend, int capacity,
        bool training, bool holdsInput)
    {
        _input = layout.Input;
        _drawWidth = layout.DrawWidth;
        _latent = latent;
        _likelihood = layout.Likelihood;
        Backend = backend;
        Capacity = capacity;
        Gradient = training ? new float[layout.Count] : [];
        X = holdsInput ? new float[capacity * layout.Input] : [];
        Reconstruction = new double[capacity];
        Variance = new GaussianDecoderVariance(layout.Likelihood == VaeLikelihood.Gaussian ? layout.DecoderLogVarianceOffset : -1, layout.Input);
        _noiseBody = NoiseRows;
        PrepareLikelihood(parameters);
    }

    /// <summary>Most rows per pass.</summary>
    public int Capacity { get; }

    /// <summary>The gradient of the last training evaluation (training; length = parameter count).</summary>
    public float[] Gradient { get; }

    /// <summary>[cap, D]: the input rows of a training evaluation (or of a pass that copies them in).</summary>
    public float[] X { get; }

    /// <summary>[cap, 2Z]: per row the mean then the log variance of q(z|x).</summary>
    public abstract float[] PosteriorHead { get; }

    /// <summary>[cap, Z]: the latent rows the decoder reads.</summary>
    public abstract float[] Latent { get; }

    /// <summary>[cap, D]: the decoder's output (logits or means); after a training evaluation, its gradient.</summary>
    public abstract float[] Out { get; }

    /// <summary>Per row -log p(x|z) of the last loss evaluation.</summary>
    public double[] Reconstruction { get; }

    /// <summary>e^-lv of the Gaussian decoder (refreshed by <see cref="PrepareLikelihood"/>).</summary>
    public float[] InverseVariance => Variance.InverseVariance;

    protected IComputeBackend Backend { get; }

    protected GaussianDecoderVariance Variance { get; }

    /// <summary>The Philox seed and stream of the last <see cref="FillNoise"/>.</summary>
    protected ulong NoiseSeed { get; private set; }

    /// <inheritdoc cref="NoiseSeed"/>
    protected ulong NoiseStream { get; private set; }

    /// <summary>Caches e^-lv and sum lv of the Gaussian decoder from <paramref name="theta"/>.</summary>
    public void PrepareLikelihood(float[] theta) => Variance.Prepare(theta);

    /// <summary>Encoder forward for <paramref name="rows"/> rows of <paramref name="x"/> starting at element <paramref name="xOffset"/>: fills <see cref="PosteriorHead"/>.</summary>
    public abstract void Encode(float[] x, int xOffset, int rows);

    /// <summary>Decoder forward from <see cref="Latent"/> into <see cref="Out"/> (the output bias included).</summary>
    public abstract void Decode(int rows);

    /// <summary>Fills the draws of the first <paramref name="rows"/> rows from Philox (seed, stream), row r's at index r * <see cref="VaeParameterLayout.DrawWidth"/>.</summary>
    public void FillNoise(ulong seed, ulong stream, int rows)
    {
        NoiseSeed = seed;
        NoiseStream = stream;
        Backend.For(rows, Math.Max(1, 2048 / _drawWidth), _noiseBody);
    }

    /// <summary>The draws of rows [start, end) (see <see cref="FillNoise"/>).</summary>
    protected abstract void NoiseRows(int start, int end);

    /// <summary>Encodes every row of <paramref name="data"/> chunk by chunk; after each chunk <paramref name="take"/>(start, rows) reads <see cref="PosteriorHead"/>.</summary>
    public void EncodeChunks(MatrixView data, Action<int, int> take)
    {
        for (int start = 0; start < data.Rows; start += Capacity)
        {
            int rows = Math.Min(Capacity, data.Rows - start);
            Encode(data.Array, data.Offset + start * data.Columns, rows);
            take(start, rows);
        }
    }

    /// <summary>[N, 2Z]: the mean then the log variance of q(z|x) of every row of <paramref name="data"/>, encoded chunk by chunk.</summary>
    public float[] PosteriorHeads(MatrixView data)
    {
        int width = 2 * _latent;
        var heads = new float[data.Rows * width];
        EncodeChunks(data, (start, rows) => PosteriorHead.AsSpan(0, rows * width).CopyTo(heads.AsSpan(start * width)));
        return heads;
    }

    /// <summary>The rows per chunk for <paramref name="rows"/> rows.</summary>
    public static int ChunkCapacity(int rows) => Math.Min(ChunkRows, Math.Max(1, rows));

    /// <summary>The parameters of q(z|x) for each row of <paramref name="data"/>: mean and log variance, both [N, Z], in chunks of a workspace from <paramref name="open"/> (given its capacity).</summary>
    public static (Matrix Mean, Matrix LogVariance) EncodeDistribution(MatrixView data, Func<int, EncoderDecoderWorkspace> open)
    {
        var ws = open(ChunkCapacity(data.Rows));
        int z = ws._latent;
        var mean = new Matrix(data.Rows, z);
        var logVariance = new Matrix(data.Rows, z);
        ws.EncodeChunks(data, (start, rows) =>
        {
            for (int r = 0; r < rows; r++)
            {
                ws.PosteriorHead.AsSpan(r * 2 * z, z).CopyTo(mean.Data.AsSpan((start + r) * z, z));
                ws.PosteriorHead.AsSpan(r * 2 * z + z, z).CopyTo(logVariance.Data.AsSpan((start + r) * z, z));
            }
        });
        return (mean, logVariance);
    }

    /// <summary>
    /// The decoder's mean for each row of <paramref name="latent"/> (<paramref name="width"/> values, named
    /// <paramref name="name"/> in the error): probabilities (Bernoulli) or means (Gaussian), in chunks.
    /// </summary>
    public static Matrix Decode(MatrixView latent, int width, string name, Func<int, EncoderDecoderWorkspace> open)
    {
        if (latent.Columns != width)
            throw new DataFormatException($"latent rows have {latent.Columns} values; the model has {width} {name} dimensions.");
        var ws = open(ChunkCapacity(latent.Rows));
        int d = ws._input, z = width;
        var result = new Matrix(latent.Rows, d);
        for (int start = 0; start < latent.Rows; start += ws.Capacity)
        {
            int rows = Math.Min(ws.Capacity, latent.Rows - start);
            latent.Span.Slice(start * z, rows * z).CopyTo(ws.Latent);
            ws.Decode(rows);
            var dst = result.Data.AsSpan(start * d, rows * d);
            ws.Out.AsSpan(0, rows * d).CopyTo(dst);
            if (ws._likelihood == VaeLikelihood.Bernoulli) Compute.Cpu.Activations.Sigmoid(dst, dst);
        }
        return result;
    }
}

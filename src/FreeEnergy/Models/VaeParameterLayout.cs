using FreeEnergy.Compute;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.Models;

/// <summary>
/// What the layouts of the one- and two-level VAE share: the input width, the hidden activation, the observation model
/// p(x|z), the bottom level first in the vector (the encoder x -&gt; [mu | log variance] of q(z|x) and the decoder
/// z -&gt; p(x|z), <see cref="AddEncoderDecoder"/>), and a flat parameter vector of dense layers laid out one after another
/// (<see cref="Dense"/>, <see cref="Chain"/>) with the Gaussian decoder's log variance vector [D] last
/// (<see cref="EndWithDecoderVariance"/>), so that a fixed variance is simply left out of the trainable range.
/// The width of one draw of every latent is <see cref="DrawWidth"/>.
/// </summary>
internal abstract class VaeParameterLayout
{
    private readonly List<DenseShape> _layers = [];
    private int _offset;

    /// <summary>Checks the input width and records the settings every VAE has; the derived layout then adds its layers.</summary>
    protected VaeParameterLayout(int input, Activation activation, VaeLikelihood likelihood, bool learnVariance)
    {
        if (input <= 0) throw new ArgumentOutOfRangeException(nameof(input), "The input dimension must be positive.");
        Input = input;
        Activation = activation;
        Likelihood = likelihood;
        LearnVariance = likelihood == VaeLikelihood.Gaussian && learnVariance;
    }

    public int Input { get; }
    public Activation Activation { get; }
    public VaeLikelihood Likelihood { get; }
    public bool LearnVariance { get; }

    /// <summary>The bottom encoder's hidden layers (input side first).</summary>
    public DenseShape[] Encoder { get; private set; } = [];

    /// <summary>
    /// The bottom encoder's head [H, 2Z]: the mean of q(z|x) in columns 0..Z-1 and its log variance in Z..2Z-1, side by
    /// side so that one GEMM serves both.
    /// </summary>
    public DenseShape Head { get; private set; }

    /// <summary>The decoder's hidden layers (latent side first).</summary>
    public DenseShape[] Decoder { get; private set; } = [];

    /// <summary>The decoder's output layer: the logits (Bernoulli) or means (Gaussian) of p(x|z).</summary>
    public DenseShape Output { get; private set; }

    /// <summary>How many standard normals one draw of every latent takes (Z, or Z1 + Z2): the width of a row of the fixed scoring draws.</summary>
    public abstract int DrawWidth { get; }

    /// <summary>Offset of the Gaussian decoder's log variance [D], or -1 for Bernoulli.</summary>
    public int DecoderLogVarianceOffset { get; private set; } = -1;

    /// <summary>Total number of parameters.</summary>
    public int Count { get; private set; }

    /// <summary>Parameters [0, TrainableCount) are updated by training.</summary>
    public int TrainableCount { get; private set; }

    /// <summary>
    /// The untrained parameter vector: dense layers PyTorch-style, weights and biases uniform in (-1/sqrt(fan_in),
    /// 1/sqrt(fan_in)), layer i (in parameter order) from Philox stream (init, i) of <paramref name="seed"/>; the Gaussian
    /// decoder's log variance at <paramref name="initialLogVariance"/>.
    /// </summary>
    public float[] InitialParameters(ulong seed, float initialLogVariance)
    {
        var theta = new float[Count];
        for (int index = 0; index < _layers.Count; index++)
        {
            var layer = _layers[index];
            var random = new RandomStream(seed, Philox.Stream(Vae.PurposeInit, (ulong)index));
            float bound = 1f / MathF.Sqrt(layer.In);
            for (int i = 0; i < layer.WeightCount + layer.Out; i++)
                theta[layer.WeightOffset + i] = (2f * random.NextFloat() - 1f) * bound;
        }
        if (Likelihood == VaeLikelihood.Gaussian) theta.AsSpan(DecoderLogVarianceOffset, Input).Fill(initialLogVariance);
        return theta;
    }

    /// <summary>The <paramref name="samples"/> fixed standard-normal draws [K, <see cref="DrawWidth"/>] of a new model's deterministic score, from Philox (<paramref name="seed"/>, scoring noise stream).</summary>
    public float[] ScoringNoise(ulong seed, int samples)
    {
        var noise = new float[samples * DrawWidth];
        Philox.FillGaussian(seed, Philox.Stream(Vae.PurposeScoringNoise), 0, noise);
        return noise;
    }

    /// <summary>Checks a model's <paramref name="parameters"/> against this layout and its fixed scoring draws: K &gt;= 1 rows of <see cref="DrawWidth"/> (<paramref name="widthName"/>) values.</summary>
    public void CheckModel(float[] parameters, float[] scoringNoise, string widthName)
    {
        if (parameters.Length != Count) throw new ArgumentException("Parameter vector does not match the layout.", nameof(parameters));
        if (scoringNoise.Length == 0 || scoringNoise.Length % DrawWidth != 0)
            throw new ArgumentException($"Scoring noise must hold K >= 1 rows of {widthName} values.", nameof(scoringNoise));
    }

    /// <summary>Throws when a KL weight or scale (<paramref name="what"/> in the message) is not positive and finite.</summary>
    public static void CheckPositive(float value, string parameterName, string what)
    {
        if (!(value > 0) || !float.IsFinite(value)) throw new ArgumentOutOfRangeException(parameterName, $"{what} must be positive and finite.");
    }

    /// <summary>Throws when a hidden width is not positive.</summary>
    protected static void CheckHiddenSizes(IEnumerable<int> sizes, string parameterName)
    {
        foreach (var h in sizes) if (h <= 0) throw new ArgumentOutOfRangeException(parameterName, "Hidden layer sizes must be positive.");
    }

    /// <summary>Lays out the bottom level: the encoder x -&gt; [mu | log variance] of q(z|x) (Z = <paramref name="latent"/>) and the decoder z -&gt; p(x|z).</summary>
    protected void AddEncoderDecoder(int latent, IReadOnlyList<int> encoderSizes, IReadOnlyList<int> decoderSizes)
    {
        Encoder = Chain(Input, encoderSizes, out int width);
        Head = Dense(width, 2 * latent);
        Decoder = Chain(latent, decoderSizes, out width);
        Output = Dense(width, Input);
    }

    /// <summary>The next dense layer of the vector: weight [fanIn, fanOut], then its bias [fanOut].</summary>
    protected DenseShape Dense(int fanIn, int fanOut)
    {
        var layer = new DenseShape(fanIn, fanOut, _offset, _offset + fanIn * fanOut);
        _offset = checked(_offset + fanIn * fanOut + fanOut);
        _layers.Add(layer);
        return layer;
    }

    /// <summary>Dense layers of the hidden <paramref name="sizes"/> fed by <paramref name="from"/> values; <paramref name="width"/> is the last one's output.</summary>
    protected DenseShape[] Chain(int from, IReadOnlyList<int> sizes, out int width)
    {
        var chain = new DenseShape[sizes.Count];
        width = from;
        for (int i = 0; i < sizes.Count; i++) { chain[i] = Dense(width, sizes[i]); width = sizes[i]; }
        return chain;
    }

    /// <summary>Closes the vector after the last dense layer: the Gaussian decoder's log variance [D], then the counts.</summary>
    protected void EndWithDecoderVariance()
    {
        if (Likelihood == VaeLikelihood.Gaussian)
        {
            DecoderLogVarianceOffset = _offset;
            _offset = checked(_offset + Input);
        }
        Count = _offset;
        TrainableCount = Likelihood == VaeLikelihood.Gaussian && !LearnVariance ? DecoderLogVarianceOffset : Count;
    }
}

using FreeEnergy.Compute;

namespace FreeEnergy.Models;

/// <summary>Where one dense layer lives inside the flat parameter vector: weight [In, Out] at WeightOffset, bias [Out] at BiasOffset.</summary>
internal readonly record struct DenseShape(int In, int Out, int WeightOffset, int BiasOffset)
{
    public int WeightCount => In * Out;
}

/// <summary>
/// Shapes of a VAE and where each tensor lives in its flat parameter vector. The encoder's mean and
/// log-variance heads are stored side by side as one [H, 2Z] layer (columns 0..Z-1 the mean, Z..2Z-1 the
/// log variance) so one GEMM serves both; the model document splits them. The Gaussian decoder's log
/// variance vector [D] comes last so that a fixed variance is simply left out of the trainable range.
/// </summary>
internal sealed class VaeLayout
{
    public VaeLayout(int input, int latent, int[] encoderLayers, int[] decoderLayers, Activation activation,
        VaeLikelihood likelihood, bool learnVariance)
    {
        if (input <= 0) throw new ArgumentOutOfRangeException(nameof(input), "The input dimension must be positive.");
        if (latent <= 0) throw new ArgumentOutOfRangeException(nameof(latent), "The latent dimension must be positive.");
        foreach (var h in encoderLayers) if (h <= 0) throw new ArgumentOutOfRangeException(nameof(encoderLayers), "Hidden layer sizes must be positive.");
        foreach (var h in decoderLayers) if (h <= 0) throw new ArgumentOutOfRangeException(nameof(decoderLayers), "Hidden layer sizes must be positive.");
        Input = input;
        Latent = latent;
        EncoderSizes = (int[])encoderLayers.Clone();
        DecoderSizes = (int[])decoderLayers.Clone();
        Activation = activation;
        Likelihood = likelihood;
        LearnVariance = likelihood == VaeLikelihood.Gaussian && learnVariance;

        int offset = 0;
        DenseShape Add(int fanIn, int fanOut)
        {
            var layer = new DenseShape(fanIn, fanOut, offset, offset + fanIn * fanOut);
            offset = checked(offset + fanIn * fanOut + fanOut);
            return layer;
        }

        Encoder = new DenseShape[encoderLayers.Length];
        int width = input;
        for (int i = 0; i < encoderLayers.Length; i++) { Encoder[i] = Add(width, encoderLayers[i]); width = encoderLayers[i]; }
        Head = Add(width, 2 * latent);
        Decoder = new DenseShape[decoderLayers.Length];
        width = latent;
        for (int i = 0; i < decoderLayers.Length; i++) { Decoder[i] = Add(width, decoderLayers[i]); width = decoderLayers[i]; }
        Output = Add(width, input);
        if (likelihood == VaeLikelihood.Gaussian)
        {
            DecoderLogVarianceOffset = offset;
            offset += input;
        }
        else DecoderLogVarianceOffset = -1;
        Count = offset;
        TrainableCount = likelihood == VaeLikelihood.Gaussian && !LearnVariance ? DecoderLogVarianceOffset : Count;
    }

    public int Input { get; }
    public int Latent { get; }
    public int[] EncoderSizes { get; }
    public int[] DecoderSizes { get; }
    public Activation Activation { get; }
    public VaeLikelihood Likelihood { get; }
    public bool LearnVariance { get; }
    public DenseShape[] Encoder { get; }
    public DenseShape Head { get; }
    public DenseShape[] Decoder { get; }
    public DenseShape Output { get; }

    /// <summary>Offset of the Gaussian decoder's log variance [D], or -1 for Bernoulli.</summary>
    public int DecoderLogVarianceOffset { get; }

    /// <summary>Total number of parameters.</summary>
    public int Count { get; }

    /// <summary>Parameters [0, TrainableCount) are updated by training.</summary>
    public int TrainableCount { get; }
}

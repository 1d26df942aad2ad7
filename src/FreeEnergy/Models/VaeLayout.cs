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
internal sealed class VaeLayout : VaeParameterLayout
{
    public VaeLayout(int input, int latent, int[] encoderLayers, int[] decoderLayers, Activation activation,
        VaeLikelihood likelihood, bool learnVariance)
        : base(input, activation, likelihood, learnVariance)
    {
        if (latent <= 0) throw new ArgumentOutOfRangeException(nameof(latent), "The latent dimension must be positive.");
        CheckHiddenSizes(encoderLayers, nameof(encoderLayers));
        CheckHiddenSizes(decoderLayers, nameof(decoderLayers));
        Latent = latent;
        EncoderSizes = (int[])encoderLayers.Clone();
        DecoderSizes = (int[])decoderLayers.Clone();
        Encoder = Chain(input, encoderLayers, out int width);
        Head = Dense(width, 2 * latent);
        Decoder = Chain(latent, decoderLayers, out width);
        Output = Dense(width, input);
        EndWithDecoderVariance();
    }

    public int Latent { get; }
    public int[] EncoderSizes { get; }
    public int[] DecoderSizes { get; }
    public DenseShape[] Encoder { get; }
    public DenseShape Head { get; }
    public DenseShape[] Decoder { get; }
    public DenseShape Output { get; }
}

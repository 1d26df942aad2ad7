using FreeEnergy.Compute;

namespace FreeEnergy.Models;

/// <summary>Where one dense layer lives inside the flat parameter vector: weight [In, Out] at WeightOffset, bias [Out] at BiasOffset.</summary>
internal readonly record struct DenseShape(int In, int Out, int WeightOffset, int BiasOffset)
{
    public int WeightCount => In * Out;
}

/// <summary>
/// Shapes of a VAE and where each tensor lives in its flat parameter vector (<see cref="VaeParameterLayout"/>): the
/// encoder, its [H, 2Z] head (which the model document splits into mean and log variance), the decoder, and the
/// Gaussian decoder's log variance vector [D] last.
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
        AddEncoderDecoder(latent, encoderLayers, decoderLayers);
        EndWithDecoderVariance();
    }

    public int Latent { get; }
    public int[] EncoderSizes { get; }
    public int[] DecoderSizes { get; }

    /// <inheritdoc />
    public override int DrawWidth => Latent;
}

using FreeEnergy.Compute;

namespace FreeEnergy.Models;

/// <summary>
/// Shapes of a two-level VAE x &lt;- z1 &lt;- z2 and where each tensor lives in its flat parameter vector: the lower
/// encoder x -&gt; [mu1 | lv1] of q(z1|x), the decoder z1 -&gt; logits or means of p(x|z1), the upper encoder
/// z1 -&gt; [mu2 | lv2] of q(z2|z1), and the prior network z2 -&gt; [mean | log variance] of p(z1|z2); the Gaussian
/// decoder's log variance vector [D] comes last (as in <see cref="VaeLayout"/>, so a fixed variance is left out of the
/// trainable range).
/// </summary>
internal sealed class HierarchicalVaeLayout : VaeParameterLayout
{
    public HierarchicalVaeLayout(int input, int latent1, int latent2, int[] lowerLayers, int[] upperLayers, Activation activation,
        VaeLikelihood likelihood, bool learnVariance)
        : base(input, activation, likelihood, learnVariance)
    {
        if (latent1 <= 0 || latent2 <= 0) throw new ArgumentOutOfRangeException(nameof(latent1), "Both latent dimensions must be positive.");
        CheckHiddenSizes(lowerLayers.Concat(upperLayers), nameof(lowerLayers));
        Latent1 = latent1;
        Latent2 = latent2;
        LowerSizes = (int[])lowerLayers.Clone();
        UpperSizes = (int[])upperLayers.Clone();
        AddEncoderDecoder(latent1, LowerSizes, Enumerable.Reverse(LowerSizes).ToArray());
        Encoder2 = Chain(latent1, UpperSizes, out int w);
        Head2 = Dense(w, 2 * latent2);
        Prior = Chain(latent2, Enumerable.Reverse(UpperSizes).ToArray(), out w);
        PriorHead = Dense(w, 2 * latent1);
        EndWithDecoderVariance();
    }

    public int Latent1 { get; }
    public int Latent2 { get; }

    /// <summary>Hidden widths between x and z1: the lower encoder's (input side first); the decoder mirrors them.</summary>
    public int[] LowerSizes { get; }

    /// <summary>Hidden widths between z1 and z2: the upper encoder's (z1 side first); the prior network mirrors them.</summary>
    public int[] UpperSizes { get; }

    /// <summary>The lower encoder's hidden layers (the bottom level's <see cref="VaeParameterLayout.Encoder"/>).</summary>
    public DenseShape[] Encoder1 => Encoder;

    /// <summary>The lower encoder's head [mu1 | lv1] of q(z1|x) (the bottom level's <see cref="VaeParameterLayout.Head"/>).</summary>
    public DenseShape Head1 => Head;

    /// <inheritdoc />
    public override int DrawWidth => Latent1 + Latent2;

    public DenseShape[] Encoder2 { get; }
    public DenseShape Head2 { get; }
    public DenseShape[] Prior { get; }
    public DenseShape PriorHead { get; }

    /// <summary>Every dense layer with its name in the model file, in parameter order.</summary>
    public IEnumerable<(string Name, DenseShape Shape)> NamedLayers()
    {
        for (int i = 0; i < Encoder1.Length; i++) yield return ($"encoder1.{i}", Encoder1[i]);
        yield return ("encoder1.head", Head1);
        for (int i = 0; i < Decoder.Length; i++) yield return ($"decoder.{i}", Decoder[i]);
        yield return ("decoder.output", Output);
        for (int i = 0; i < Encoder2.Length; i++) yield return ($"encoder2.{i}", Encoder2[i]);
        yield return ("encoder2.head", Head2);
        for (int i = 0; i < Prior.Length; i++) yield return ($"prior.{i}", Prior[i]);
        yield return ("prior.head", PriorHead);
    }
}

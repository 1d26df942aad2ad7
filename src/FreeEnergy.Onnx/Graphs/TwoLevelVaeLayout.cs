using FreeEnergy.Persistence;

namespace FreeEnergy.Onnx.Graphs;

/// <summary>
/// The shape and settings of a two-level VAE (model kind "hierarchical-vae", x &lt;- z1 &lt;- z2) read and checked from its
/// model document: the dense chains "encoder1.i" (x -&gt; q(z1|x)), "decoder.i" (z1 -&gt; p(x|z1)), "encoder2.i"
/// (z1 -&gt; q(z2|z1)) and "prior.i" (z2 -&gt; p(z1|z2)) from their tensors, the heads "encoder1.head" [.., 2 Z1],
/// "encoder2.head" [.., 2 Z2] and "prior.head" [.., 2 Z1] ([mean | log variance] columns), "scoring_noise" [K, Z1 + Z2]
/// (cross-checked with the hyperparameters "input", "latent", "upper_latent", "lower_layers", "upper_layers" and
/// "scoring_samples" when present), and the hyperparameters "activation", "likelihood" (both required), "beta" and
/// "upper_beta" (both default 1, must be positive).
/// </summary>
internal sealed class TwoLevelVaeLayout
{
    private TwoLevelVaeLayout(ModelDocument document)
    {
        Encoder1 = DocumentReading.LayerWidths(document, "encoder1");
        Decoder = DocumentReading.LayerWidths(document, "decoder");
        Encoder2 = DocumentReading.LayerWidths(document, "encoder2");
        Prior = DocumentReading.LayerWidths(document, "prior");
        Input = Encoder1.Count > 0 ? DocumentReading.Matrix(document, "encoder1.0.weight").Rows : DocumentReading.Matrix(document, "encoder1.head.weight").Rows;
        Latent1 = HeadHalf(document, "encoder1.head");
        Latent2 = HeadHalf(document, "encoder2.head");
        var (samples, noiseWidth) = DocumentReading.Matrix(document, "scoring_noise");
        Samples = samples;
        if (noiseWidth != Latent1 + Latent2)
            throw new ModelFileException($"tensor 'scoring_noise' of the {document.Kind} model has {noiseWidth} columns but the latent spaces have {Latent1} + {Latent2} dimensions.");
        DocumentReading.CheckSize(document, "input", Input);
        DocumentReading.CheckSize(document, "latent", Latent1);
        DocumentReading.CheckSize(document, "upper_latent", Latent2);
        DocumentReading.CheckSizes(document, "lower_layers", Encoder1);
        DocumentReading.CheckSizes(document, "upper_layers", Encoder2);
        DocumentReading.CheckSize(document, "scoring_samples", Samples);
        Activation = DocumentReading.VaeActivation(document);
        Gaussian = DocumentReading.VaeGaussianLikelihood(document);
        Beta = DocumentReading.PositiveNumber(document, "beta", 1.0);
        UpperBeta = DocumentReading.PositiveNumber(document, "upper_beta", 1.0);
    }

    /// <summary>Width D of an input row.</summary>
    public int Input { get; }

    /// <summary>Z1, the lower latent dimensions.</summary>
    public int Latent1 { get; }

    /// <summary>Z2, the top latent dimensions.</summary>
    public int Latent2 { get; }

    /// <summary>Hidden widths of q(z1|x)'s encoder, input side first.</summary>
    public IReadOnlyList<int> Encoder1 { get; }

    /// <summary>Hidden widths of the decoder of p(x|z1), z1 side first.</summary>
    public IReadOnlyList<int> Decoder { get; }

    /// <summary>Hidden widths of q(z2|z1)'s encoder, z1 side first.</summary>
    public IReadOnlyList<int> Encoder2 { get; }

    /// <summary>Hidden widths of the prior network of p(z1|z2), z2 side first.</summary>
    public IReadOnlyList<int> Prior { get; }

    /// <summary>K: rows of "scoring_noise".</summary>
    public int Samples { get; }

    /// <summary>"relu", "tanh" or "softplus".</summary>
    public string Activation { get; }

    /// <summary>True for the Gaussian likelihood, false for Bernoulli.</summary>
    public bool Gaussian { get; }

    /// <summary>beta1: the middle level's log ratio is weighted 1/beta1.</summary>
    public double Beta { get; }

    /// <summary>beta2: the top level's KL is weighted 1/beta2.</summary>
    public double UpperBeta { get; }

    public static TwoLevelVaeLayout Read(ModelDocument document) => new(document);

    /// <summary>Half the columns of the head "{name}.weight" ([mean | log variance]); an error when odd.</summary>
    private static int HeadHalf(ModelDocument document, string name)
    {
        int columns = DocumentReading.Matrix(document, name + ".weight").Columns;
        if (columns % 2 != 0)
            throw new ModelFileException($"tensor '{name}.weight' of the {document.Kind} model has {columns} columns; a Gaussian head needs an even number (mean, then log variance).");
        return columns / 2;
    }
}

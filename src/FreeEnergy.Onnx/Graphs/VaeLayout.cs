using FreeEnergy.Persistence;

namespace FreeEnergy.Onnx.Graphs;

/// <summary>
/// The shape and settings of a VAE read (and checked) from its model document: layer widths from the
/// tensors "encoder.{i}.weight" / "decoder.{i}.weight" (cross-checked with the hyperparameters
/// "input", "latent", "encoder_layers", "decoder_layers", "scoring_samples" when present), and the
/// hyperparameters "activation" (relu|tanh|softplus, required), "likelihood" (bernoulli|gaussian,
/// required), "beta" and "prior_scale" (both default 1, must be positive).
/// </summary>
internal sealed class VaeLayout
{
    private VaeLayout(ModelDocument document)
    {
        Encoder = DocumentReading.LayerWidths(document, "encoder");
        Decoder = DocumentReading.LayerWidths(document, "decoder");
        (Input, Latent) = DocumentReading.Matrix(document, "encoder.mean.weight");
        if (Encoder.Count > 0) Input = DocumentReading.Matrix(document, "encoder.0.weight").Rows;
        var (samples, noiseWidth) = DocumentReading.Matrix(document, "scoring_noise");
        Samples = samples;
        if (noiseWidth != Latent)
            throw new ModelFileException($"tensor 'scoring_noise' of the vae model has {noiseWidth} columns but the latent space has {Latent} dimensions.");
        DocumentReading.CheckSize(document, "input", Input);
        DocumentReading.CheckSize(document, "latent", Latent);
        DocumentReading.CheckSizes(document, "encoder_layers", Encoder);
        DocumentReading.CheckSizes(document, "decoder_layers", Decoder);
        DocumentReading.CheckSize(document, "scoring_samples", Samples);
        Activation = DocumentReading.VaeActivation(document);
        Gaussian = DocumentReading.VaeGaussianLikelihood(document);
        Beta = DocumentReading.PositiveNumber(document, "beta", 1.0);
        PriorScale = DocumentReading.PositiveNumber(document, "prior_scale", 1.0);
    }

    /// <summary>Width D of an input row.</summary>
    public int Input { get; }

    /// <summary>Latent dimensions Z.</summary>
    public int Latent { get; }

    /// <summary>Widths of the encoder's hidden layers, input side first.</summary>
    public IReadOnlyList<int> Encoder { get; }

    /// <summary>Widths of the decoder's hidden layers, latent side first.</summary>
    public IReadOnlyList<int> Decoder { get; }

    /// <summary>K: rows of "scoring_noise".</summary>
    public int Samples { get; }

    /// <summary>"relu", "tanh" or "softplus".</summary>
    public string Activation { get; }

    /// <summary>True for the Gaussian likelihood, false for Bernoulli.</summary>
    public bool Gaussian { get; }

    /// <summary>The KL weight is 1/beta.</summary>
    public double Beta { get; }

    /// <summary>r of the prior Normal(0, r^2 I).</summary>
    public double PriorScale { get; }

    public static VaeLayout Read(ModelDocument document) => new(document);
}

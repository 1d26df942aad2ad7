using System.Globalization;
using FreeEnergy.Persistence;

namespace FreeEnergy.Models;

public sealed partial class HierarchicalVae
{
    /// <inheritdoc />
    /// <remarks>
    /// Hyperparameters: "input", "latent" (Z1), "upper_latent" (Z2), "lower_layers" and "upper_layers" (the encoders'
    /// hidden widths; the decoder and the prior network mirror them), "activation", "likelihood", "beta", "upper_beta",
    /// "scoring_samples", "learn_variance". Tensors: weights [in, out] and biases [out] of "encoder1.i", "encoder1.head"
    /// ([mu1 | log variance] columns), "decoder.i", "decoder.output", "encoder2.i", "encoder2.head", "prior.i",
    /// "prior.head" ([mean | log variance] of p(z1|z2)); "decoder.log_variance" [D] for Gaussian; "scoring_noise" [K, Z1 + Z2].
    /// </remarks>
    public ModelDocument ToDocument()
    {
        var L = Layout;
        var tensors = new List<NamedTensor>();
        foreach (var (name, layer) in L.NamedLayers()) Vae.AddDense(tensors, Parameters, name, layer);
        var c = CultureInfo.InvariantCulture;
        var own = new Dictionary<string, string>
        {
            ["latent"] = L.Latent1.ToString(c),
            ["upper_latent"] = L.Latent2.ToString(c),
            ["lower_layers"] = string.Join(",", L.LowerSizes),
            ["upper_layers"] = string.Join(",", L.UpperSizes),
            ["upper_beta"] = UpperBeta.ToString("R", c),
        };
        return Vae.Document(Kind, L, Parameters, tensors, ScoringNoiseData, Beta, own, TrainingNotes);
    }

    /// <summary>Training settings recorded for information in the model file (e.g. "epochs", "importance_samples").</summary>
    internal SortedDictionary<string, string> TrainingNotes { get; } = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public IDictionary<string, string> Annotations => TrainingNotes;

    /// <summary>The hyperparameters beside the shared ones that describe the network itself; every other one is an annotation.</summary>
    private static readonly HashSet<string> StructuralHyperparameters = new(StringComparer.Ordinal) { "latent", "upper_latent", "lower_layers", "upper_layers", "upper_beta" };

    /// <summary>Rebuilds a two-level VAE from a model document, checking the kind, every hyperparameter and every tensor shape.</summary>
    public static HierarchicalVae FromDocument(ModelDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Kind != ModelKinds.HierarchicalVae) throw new ModelFileException($"the model is a {document.Kind}, not a {ModelKinds.HierarchicalVae}.");
        int input = Vae.Int(document, "input"), latent1 = Vae.Int(document, "latent"), latent2 = Vae.Int(document, "upper_latent");
        int k = Vae.Int(document, "scoring_samples");
        float beta = Vae.PositiveFloat(document, "beta"), upperBeta = Vae.PositiveFloat(document, "upper_beta");
        if (k <= 0) throw new ModelFileException("hyperparameter 'scoring_samples' must be positive.");
        HierarchicalVaeLayout layout;
        try
        {
            layout = new HierarchicalVaeLayout(input, latent1, latent2, Vae.Layers(document, "lower_layers"), Vae.Layers(document, "upper_layers"),
                Vae.ReadActivation(document), Vae.ReadLikelihood(document), Vae.ReadLearnVariance(document));
        }
        catch (ArgumentOutOfRangeException e) { throw new ModelFileException("invalid two-level VAE shape: " + e.Message); }
        var theta = new float[layout.Count];
        foreach (var (name, layer) in layout.NamedLayers()) Vae.ReadDense(document, theta, name, layer);
        var noise = Vae.ReadScoringTail(document, layout, theta, k, "two-level VAE");
        var model = new HierarchicalVae(layout, theta, noise, beta, upperBeta);
        Vae.ReadAnnotations(document, StructuralHyperparameters, model.TrainingNotes);
        return model;
    }
}

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
        foreach (var (name, layer) in L.NamedLayers())
        {
            tensors.Add(new NamedTensor(name + ".weight", [layer.In, layer.Out], Parameters.AsSpan(layer.WeightOffset, layer.WeightCount).ToArray()));
            tensors.Add(new NamedTensor(name + ".bias", [layer.Out], Parameters.AsSpan(layer.BiasOffset, layer.Out).ToArray()));
        }
        if (L.Likelihood == VaeLikelihood.Gaussian)
            tensors.Add(new NamedTensor("decoder.log_variance", [L.Input], Parameters.AsSpan(L.DecoderLogVarianceOffset, L.Input).ToArray()));
        tensors.Add(new NamedTensor("scoring_noise", [ScoringSamples, L.Latent1 + L.Latent2], (float[])ScoringNoiseData.Clone()));
        var c = CultureInfo.InvariantCulture;
        var hp = new Dictionary<string, string>
        {
            ["input"] = L.Input.ToString(c),
            ["latent"] = L.Latent1.ToString(c),
            ["upper_latent"] = L.Latent2.ToString(c),
            ["lower_layers"] = string.Join(",", L.LowerSizes),
            ["upper_layers"] = string.Join(",", L.UpperSizes),
            ["activation"] = Vae.ActivationName(L.Activation),
            ["likelihood"] = Vae.LikelihoodName(L.Likelihood),
            ["beta"] = Beta.ToString("R", c),
            ["upper_beta"] = UpperBeta.ToString("R", c),
            ["scoring_samples"] = ScoringSamples.ToString(c),
            ["learn_variance"] = L.LearnVariance ? "true" : "false",
        };
        foreach (var (k, v) in TrainingNotes) hp[k] = v;
        return new ModelDocument(Kind, hp, tensors);
    }

    /// <summary>Training settings recorded for information in the model file (e.g. "epochs", "importance_samples").</summary>
    internal SortedDictionary<string, string> TrainingNotes { get; } = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public IDictionary<string, string> Annotations => TrainingNotes;

    private static readonly HashSet<string> StructuralHyperparameters = new(StringComparer.Ordinal)
    {
        "input", "latent", "upper_latent", "lower_layers", "upper_layers", "activation", "likelihood", "beta", "upper_beta", "scoring_samples", "learn_variance",
    };

    /// <summary>Rebuilds a two-level VAE from a model document, checking the kind, every hyperparameter and every tensor shape.</summary>
    public static HierarchicalVae FromDocument(ModelDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Kind != ModelKinds.HierarchicalVae) throw new ModelFileException($"the model is a {document.Kind}, not a {ModelKinds.HierarchicalVae}.");
        int input = Vae.Int(document, "input"), latent1 = Vae.Int(document, "latent"), latent2 = Vae.Int(document, "upper_latent");
        int k = Vae.Int(document, "scoring_samples");
        float beta = Vae.Float(document, "beta"), upperBeta = Vae.Float(document, "upper_beta");
        if (!(beta > 0) || !float.IsFinite(beta)) throw new ModelFileException("hyperparameter 'beta' must be positive.");
        if (!(upperBeta > 0) || !float.IsFinite(upperBeta)) throw new ModelFileException("hyperparameter 'upper_beta' must be positive.");
        if (k <= 0) throw new ModelFileException("hyperparameter 'scoring_samples' must be positive.");
        HierarchicalVaeLayout layout;
        try
        {
            layout = new HierarchicalVaeLayout(input, latent1, latent2, Vae.Layers(document, "lower_layers"), Vae.Layers(document, "upper_layers"),
                Vae.ReadActivation(document), Vae.ReadLikelihood(document), Vae.ReadLearnVariance(document));
        }
        catch (ArgumentOutOfRangeException e) { throw new ModelFileException("invalid two-level VAE shape: " + e.Message); }
        var theta = new float[layout.Count];
        foreach (var (name, layer) in layout.NamedLayers())
        {
            document.Tensor(name + ".weight", layer.In, layer.Out).CopyTo(theta, layer.WeightOffset);
            document.Tensor(name + ".bias", layer.Out).CopyTo(theta, layer.BiasOffset);
        }
        if (layout.Likelihood == VaeLikelihood.Gaussian)
            document.Tensor("decoder.log_variance", input).CopyTo(theta, layout.DecoderLogVarianceOffset);
        var noise = (float[])document.Tensor("scoring_noise", k, latent1 + latent2).Clone();
        foreach (var v in theta) if (!float.IsFinite(v)) throw new ModelFileException("the two-level VAE has non-finite parameters.");
        foreach (var v in noise) if (!float.IsFinite(v)) throw new ModelFileException("the two-level VAE's scoring noise has non-finite values.");
        var model = new HierarchicalVae(layout, theta, noise, beta, upperBeta);
        foreach (var (key, value) in document.Hyperparameters)
            if (!StructuralHyperparameters.Contains(key)) model.TrainingNotes[key] = value;
        return model;
    }
}

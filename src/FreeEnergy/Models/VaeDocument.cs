using System.Globalization;
using FreeEnergy.Compute;
using FreeEnergy.Persistence;

namespace FreeEnergy.Models;

public sealed partial class Vae
{
    /// <inheritdoc />
    /// <remarks>Tensors follow the shared contract: weights [in, out], biases [out], the encoder heads as
    /// "encoder.mean.*" and "encoder.log_variance.*", "decoder.log_variance" [D] for Gaussian, and "scoring_noise" [K, Z].</remarks>
    public ModelDocument ToDocument()
    {
        var L = Layout;
        var tensors = new List<NamedTensor>();
        void AddDense(string name, DenseShape layer)
        {
            tensors.Add(new NamedTensor(name + ".weight", [layer.In, layer.Out], Parameters.AsSpan(layer.WeightOffset, layer.WeightCount).ToArray()));
            tensors.Add(new NamedTensor(name + ".bias", [layer.Out], Parameters.AsSpan(layer.BiasOffset, layer.Out).ToArray()));
        }
        for (int i = 0; i < L.Encoder.Length; i++) AddDense($"encoder.{i}", L.Encoder[i]);
        int z = L.Latent, h = L.Head.In;
        var mw = new float[h * z];
        var lw = new float[h * z];
        for (int r = 0; r < h; r++)
        {
            Parameters.AsSpan(L.Head.WeightOffset + r * 2 * z, z).CopyTo(mw.AsSpan(r * z, z));
            Parameters.AsSpan(L.Head.WeightOffset + r * 2 * z + z, z).CopyTo(lw.AsSpan(r * z, z));
        }
        tensors.Add(new NamedTensor("encoder.mean.weight", [h, z], mw));
        tensors.Add(new NamedTensor("encoder.mean.bias", [z], Parameters.AsSpan(L.Head.BiasOffset, z).ToArray()));
        tensors.Add(new NamedTensor("encoder.log_variance.weight", [h, z], lw));
        tensors.Add(new NamedTensor("encoder.log_variance.bias", [z], Parameters.AsSpan(L.Head.BiasOffset + z, z).ToArray()));
        for (int i = 0; i < L.Decoder.Length; i++) AddDense($"decoder.{i}", L.Decoder[i]);
        AddDense("decoder.output", L.Output);
        if (L.Likelihood == VaeLikelihood.Gaussian)
            tensors.Add(new NamedTensor("decoder.log_variance", [L.Input], Parameters.AsSpan(L.DecoderLogVarianceOffset, L.Input).ToArray()));
        tensors.Add(new NamedTensor("scoring_noise", [ScoringSamples, z], (float[])ScoringNoiseData.Clone()));

        var c = CultureInfo.InvariantCulture;
        var hp = new Dictionary<string, string>
        {
            ["input"] = L.Input.ToString(c),
            ["latent"] = z.ToString(c),
            ["encoder_layers"] = string.Join(",", L.EncoderSizes),
            ["decoder_layers"] = string.Join(",", L.DecoderSizes),
            ["activation"] = ActivationName(L.Activation),
            ["likelihood"] = LikelihoodName(L.Likelihood),
            ["beta"] = Beta.ToString("R", c),
            ["prior_scale"] = PriorScale.ToString("R", c),
            ["scoring_samples"] = ScoringSamples.ToString(c),
            ["learn_variance"] = L.LearnVariance ? "true" : "false",
        };
        foreach (var (k, v) in TrainingNotes) hp[k] = v;
        return new ModelDocument(Kind, hp, tensors);
    }

    /// <summary>Training settings recorded for information in the model file (e.g. "epochs", "learning_rate", "seed").</summary>
    internal SortedDictionary<string, string> TrainingNotes { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Free-form facts saved with the model as hyperparameters: the training settings, and rules that apply to its input
    /// (for example <c>input_binarization</c>, which the ONNX graphs apply). Read back by <see cref="FromDocument"/>.
    /// </summary>
    public IDictionary<string, string> Annotations => TrainingNotes;

    /// <summary>The hyperparameters that describe the network itself; every other one is an annotation.</summary>
    private static readonly HashSet<string> StructuralHyperparameters = new(StringComparer.Ordinal)
    {
        "input", "latent", "encoder_layers", "decoder_layers", "activation", "likelihood", "beta", "prior_scale", "scoring_samples", "learn_variance",
    };

    /// <summary>Rebuilds a VAE from a model document, checking the kind, every hyperparameter and every tensor shape.</summary>
    public static Vae FromDocument(ModelDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Kind != ModelKinds.Vae) throw new ModelFileException($"the model is a {document.Kind}, not a {ModelKinds.Vae}.");
        int input = Int(document, "input"), latent = Int(document, "latent"), k = Int(document, "scoring_samples");
        var encoder = Layers(document, "encoder_layers");
        var decoder = Layers(document, "decoder_layers");
        var activation = ReadActivation(document);
        var likelihood = ReadLikelihood(document);
        bool learn = ReadLearnVariance(document);
        float beta = Float(document, "beta"), prior = Float(document, "prior_scale");
        if (!(beta > 0) || !float.IsFinite(beta)) throw new ModelFileException("hyperparameter 'beta' must be positive.");
        if (!(prior > 0) || !float.IsFinite(prior)) throw new ModelFileException("hyperparameter 'prior_scale' must be positive.");
        if (k <= 0) throw new ModelFileException("hyperparameter 'scoring_samples' must be positive.");
        VaeLayout layout;
        try { layout = new VaeLayout(input, latent, encoder, decoder, activation, likelihood, learn); }
        catch (ArgumentOutOfRangeException e) { throw new ModelFileException("invalid VAE shape: " + e.Message); }

        var theta = new float[layout.Count];
        void ReadDense(string name, DenseShape layer)
        {
            document.Tensor(name + ".weight", layer.In, layer.Out).CopyTo(theta, layer.WeightOffset);
            document.Tensor(name + ".bias", layer.Out).CopyTo(theta, layer.BiasOffset);
        }
        for (int i = 0; i < layout.Encoder.Length; i++) ReadDense($"encoder.{i}", layout.Encoder[i]);
        int h = layout.Head.In;
        var mw = document.Tensor("encoder.mean.weight", h, latent);
        var lw = document.Tensor("encoder.log_variance.weight", h, latent);
        for (int r = 0; r < h; r++)
        {
            mw.AsSpan(r * latent, latent).CopyTo(theta.AsSpan(layout.Head.WeightOffset + r * 2 * latent, latent));
            lw.AsSpan(r * latent, latent).CopyTo(theta.AsSpan(layout.Head.WeightOffset + r * 2 * latent + latent, latent));
        }
        document.Tensor("encoder.mean.bias", latent).CopyTo(theta, layout.Head.BiasOffset);
        document.Tensor("encoder.log_variance.bias", latent).CopyTo(theta, layout.Head.BiasOffset + latent);
        for (int i = 0; i < layout.Decoder.Length; i++) ReadDense($"decoder.{i}", layout.Decoder[i]);
        ReadDense("decoder.output", layout.Output);
        if (likelihood == VaeLikelihood.Gaussian)
            document.Tensor("decoder.log_variance", input).CopyTo(theta, layout.DecoderLogVarianceOffset);
        var noise = (float[])document.Tensor("scoring_noise", k, latent).Clone();
        foreach (var v in theta) if (!float.IsFinite(v)) throw new ModelFileException("the VAE has non-finite parameters.");
        foreach (var v in noise) if (!float.IsFinite(v)) throw new ModelFileException("the VAE's scoring noise has non-finite values.");
        var vae = new Vae(layout, theta, noise, beta, prior);
        foreach (var (key, value) in document.Hyperparameters)
            if (!StructuralHyperparameters.Contains(key)) vae.TrainingNotes[key] = value;
        return vae;
    }

    internal static Activation ReadActivation(ModelDocument document) => document.Hyperparameter("activation") switch
    {
        "relu" => Activation.Relu,
        "tanh" => Activation.Tanh,
        "softplus" => Activation.Softplus,
        var a => throw new ModelFileException($"unknown activation '{a}' (expected relu, tanh or softplus)."),
    };

    internal static VaeLikelihood ReadLikelihood(ModelDocument document) => document.Hyperparameter("likelihood") switch
    {
        "bernoulli" => VaeLikelihood.Bernoulli,
        "gaussian" => VaeLikelihood.Gaussian,
        var a => throw new ModelFileException($"unknown likelihood '{a}' (expected bernoulli or gaussian)."),
    };

    internal static bool ReadLearnVariance(ModelDocument document) => !document.Hyperparameters.TryGetValue("learn_variance", out var lv) || lv != "false";

    internal static string LikelihoodName(VaeLikelihood likelihood) => likelihood == VaeLikelihood.Bernoulli ? "bernoulli" : "gaussian";

    internal static string ActivationName(Activation a) => a switch
    {
        Activation.Relu => "relu",
        Activation.Tanh => "tanh",
        Activation.Softplus => "softplus",
        _ => throw new ArgumentOutOfRangeException(nameof(a), $"A VAE has no {a} activation."),
    };

    internal static int Int(ModelDocument d, string name)
        => int.TryParse(d.Hyperparameter(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ModelFileException($"hyperparameter '{name}' = '{d.Hyperparameter(name)}' is not an integer.");

    internal static float Float(ModelDocument d, string name)
        => float.TryParse(d.Hyperparameter(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ModelFileException($"hyperparameter '{name}' = '{d.Hyperparameter(name)}' is not a number.");

    internal static int[] Layers(ModelDocument d, string name)
    {
        var text = d.Hyperparameter(name).Trim();
        if (text.Length == 0) return [];
        var parts = text.Split(',');
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out result[i]) || result[i] <= 0)
                throw new ModelFileException($"hyperparameter '{name}' = '{text}' is not a comma-separated list of positive widths.");
        return result;
    }
}

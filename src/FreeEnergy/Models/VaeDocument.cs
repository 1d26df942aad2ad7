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
        for (int i = 0; i < L.Encoder.Length; i++) AddDense(tensors, Parameters, $"encoder.{i}", L.Encoder[i]);
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
        for (int i = 0; i < L.Decoder.Length; i++) AddDense(tensors, Parameters, $"decoder.{i}", L.Decoder[i]);
        AddDense(tensors, Parameters, "decoder.output", L.Output);
        var c = CultureInfo.InvariantCulture;
        var own = new Dictionary<string, string>
        {
            ["latent"] = z.ToString(c),
            ["encoder_layers"] = string.Join(",", L.EncoderSizes),
            ["decoder_layers"] = string.Join(",", L.DecoderSizes),
            ["prior_scale"] = PriorScale.ToString("R", c),
        };
        return Document(Kind, L, Parameters, tensors, ScoringNoiseData, Beta, own, TrainingNotes);
    }

    /// <summary>Adds a dense layer's weight [in, out] and bias [out] from <paramref name="theta"/> as "name.weight" and "name.bias".</summary>
    internal static void AddDense(List<NamedTensor> tensors, float[] theta, string name, DenseShape layer)
    {
        tensors.Add(new NamedTensor(name + ".weight", [layer.In, layer.Out], theta.AsSpan(layer.WeightOffset, layer.WeightCount).ToArray()));
        tensors.Add(new NamedTensor(name + ".bias", [layer.Out], theta.AsSpan(layer.BiasOffset, layer.Out).ToArray()));
    }

    /// <summary>Reads a dense layer written by <see cref="AddDense"/> into <paramref name="theta"/>, checking its shapes.</summary>
    internal static void ReadDense(ModelDocument document, float[] theta, string name, DenseShape layer)
    {
        document.Tensor(name + ".weight", layer.In, layer.Out).CopyTo(theta, layer.WeightOffset);
        document.Tensor(name + ".bias", layer.Out).CopyTo(theta, layer.BiasOffset);
    }

    /// <summary>The hyperparameters every VAE document has; a model's own structural ones come on top.</summary>
    private static readonly string[] SharedHyperparameters = ["input", "activation", "likelihood", "beta", "scoring_samples", "learn_variance"];

    /// <summary>
    /// Finishes a VAE document after its dense layers: "decoder.log_variance" [D] (Gaussian) and "scoring_noise"
    /// [K, <see cref="VaeParameterLayout.DrawWidth"/>]; the shared hyperparameters (<see cref="SharedHyperparameters"/>), the model's
    /// <paramref name="own"/> ones and its annotations <paramref name="notes"/>.
    /// </summary>
    internal static ModelDocument Document(string kind, VaeParameterLayout layout, float[] theta, List<NamedTensor> tensors, float[] scoringNoise,
        float beta, Dictionary<string, string> own, IDictionary<string, string> notes)
    {
        if (layout.Likelihood == VaeLikelihood.Gaussian)
            tensors.Add(new NamedTensor("decoder.log_variance", [layout.Input], theta.AsSpan(layout.DecoderLogVarianceOffset, layout.Input).ToArray()));
        int width = layout.DrawWidth, k = scoringNoise.Length / width;
        tensors.Add(new NamedTensor("scoring_noise", [k, width], (float[])scoringNoise.Clone()));
        var c = CultureInfo.InvariantCulture;
        var hp = new Dictionary<string, string>
        {
            ["input"] = layout.Input.ToString(c),
            ["activation"] = ActivationName(layout.Activation),
            ["likelihood"] = LikelihoodName(layout.Likelihood),
            ["beta"] = beta.ToString("R", c),
            ["scoring_samples"] = k.ToString(c),
            ["learn_variance"] = layout.LearnVariance ? "true" : "false",
        };
        foreach (var (key, v) in own) hp[key] = v;
        foreach (var (key, v) in notes) hp[key] = v;
        return new ModelDocument(kind, hp, tensors);
    }

    /// <summary>
    /// Reads what <see cref="Document"/> wrote after the dense layers: the Gaussian decoder's log variance into
    /// <paramref name="theta"/> and the scoring noise [<paramref name="k"/>, <see cref="VaeParameterLayout.DrawWidth"/>], and checks both are
    /// finite (<paramref name="model"/> names the model in the error).
    /// </summary>
    internal static float[] ReadScoringTail(ModelDocument document, VaeParameterLayout layout, float[] theta, int k, string model)
    {
        if (layout.Likelihood == VaeLikelihood.Gaussian)
            document.Tensor("decoder.log_variance", layout.Input).CopyTo(theta, layout.DecoderLogVarianceOffset);
        var noise = (float[])document.Tensor("scoring_noise", k, layout.DrawWidth).Clone();
        foreach (var v in theta) if (!float.IsFinite(v)) throw new ModelFileException($"the {model} has non-finite parameters.");
        foreach (var v in noise) if (!float.IsFinite(v)) throw new ModelFileException($"the {model}'s scoring noise has non-finite values.");
        return noise;
    }

    /// <summary>Copies every hyperparameter that is neither shared nor in the model's <paramref name="own"/> structural set into <paramref name="notes"/>.</summary>
    internal static void ReadAnnotations(ModelDocument document, HashSet<string> own, IDictionary<string, string> notes)
    {
        foreach (var (key, value) in document.Hyperparameters)
            if (!own.Contains(key) && Array.IndexOf(SharedHyperparameters, key) < 0) notes[key] = value;
    }

    /// <summary>A hyperparameter that must be a positive finite number (a KL weight or a scale).</summary>
    internal static float PositiveFloat(ModelDocument document, string name)
    {
        float value = Float(document, name);
        return value > 0 && float.IsFinite(value) ? value : throw new ModelFileException($"hyperparameter '{name}' must be positive.");
    }

    /// <summary>Training settings recorded for information in the model file (e.g. "epochs", "learning_rate", "seed").</summary>
    internal SortedDictionary<string, string> TrainingNotes { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Free-form facts saved with the model as hyperparameters: the training settings, and rules that apply to its input
    /// (for example <c>input_binarization</c>, which the ONNX graphs apply). Read back by <see cref="FromDocument"/>.
    /// </summary>
    public IDictionary<string, string> Annotations => TrainingNotes;

    /// <summary>The hyperparameters beside the shared ones that describe the network itself; every other one is an annotation.</summary>
    private static readonly HashSet<string> StructuralHyperparameters = new(StringComparer.Ordinal) { "latent", "encoder_layers", "decoder_layers", "prior_scale" };

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
        float beta = PositiveFloat(document, "beta"), prior = PositiveFloat(document, "prior_scale");
        if (k <= 0) throw new ModelFileException("hyperparameter 'scoring_samples' must be positive.");
        VaeLayout layout;
        try { layout = new VaeLayout(input, latent, encoder, decoder, activation, likelihood, learn); }
        catch (ArgumentOutOfRangeException e) { throw new ModelFileException("invalid VAE shape: " + e.Message); }

        var theta = new float[layout.Count];
        for (int i = 0; i < layout.Encoder.Length; i++) ReadDense(document, theta, $"encoder.{i}", layout.Encoder[i]);
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
        for (int i = 0; i < layout.Decoder.Length; i++) ReadDense(document, theta, $"decoder.{i}", layout.Decoder[i]);
        ReadDense(document, theta, "decoder.output", layout.Output);
        var noise = ReadScoringTail(document, layout, theta, k, "VAE");
        var vae = new Vae(layout, theta, noise, beta, prior);
        ReadAnnotations(document, StructuralHyperparameters, vae.TrainingNotes);
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

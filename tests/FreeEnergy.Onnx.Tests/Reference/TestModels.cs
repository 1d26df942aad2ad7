using System.Globalization;
using FreeEnergy.Models;
using FreeEnergy.Persistence;

namespace FreeEnergy.Onnx.Tests.Reference;

/// <summary>VAE settings for a generated test model.</summary>
internal sealed record VaeSpec(string Activation, string Likelihood, int[] Encoder, int[] Decoder, int Latent, double Beta, double PriorScale, int Samples = 5, int Input = 784);

/// <summary>Model documents with random parameters, following the shared tensor naming contract.</summary>
internal static class TestModels
{
    /// <summary>The configurations every exported graph is checked on.</summary>
    public static readonly string[] Configurations =
    {
        "bernoulli-rbm",
        "gaussian-rbm",
        "vae-relu-bernoulli",
        "vae-tanh-gaussian",
        "vae-softplus-bernoulli",
        "vae-softplus-gaussian",
        "vae-relu-gaussian-shallow",
    };

    public static ModelDocument Create(string configuration, int seed = 7) => configuration switch
    {
        "bernoulli-rbm" => BernoulliRbm(784, 64, seed, weightScale: 0.05, logPartition: 123.456),
        "gaussian-rbm" => GaussianRbm(784, 48, seed, weightScale: 0.05),
        "vae-relu-bernoulli" => Vae(new VaeSpec("relu", "bernoulli", new[] { 64, 32 }, new[] { 32, 64 }, 8, Beta: 2.0, PriorScale: 1.5), seed),
        "vae-tanh-gaussian" => Vae(new VaeSpec("tanh", "gaussian", new[] { 64, 32 }, new[] { 32, 64 }, 8, Beta: 0.5, PriorScale: 0.8), seed),
        "vae-softplus-bernoulli" => Vae(new VaeSpec("softplus", "bernoulli", new[] { 48, 24 }, new[] { 24, 48 }, 6, Beta: 4.0, PriorScale: 2.0, Samples: 3), seed),
        "vae-softplus-gaussian" => Vae(new VaeSpec("softplus", "gaussian", new[] { 48, 24 }, new[] { 40 }, 6, Beta: 1.5, PriorScale: 1.2), seed),
        "vae-relu-gaussian-shallow" => Vae(new VaeSpec("relu", "gaussian", new[] { 32 }, Array.Empty<int>(), 4, Beta: 1.0, PriorScale: 1.0, Samples: 1), seed),
        _ => throw new ArgumentOutOfRangeException(nameof(configuration), configuration, null),
    };

    /// <summary>True when <paramref name="configuration"/>'s inputs are real-valued (Gaussian), false for [0,1].</summary>
    public static bool RealValued(string configuration) => configuration.Contains("gaussian", StringComparison.Ordinal);

    public static ModelDocument BernoulliRbm(int d, int h, int seed, double weightScale, double? logPartition = null)
    {
        var random = new Random(seed);
        var hyper = new Dictionary<string, string> { ["visible"] = S(d), ["hidden"] = S(h) };
        if (logPartition is double z) hyper["log_partition"] = z.ToString("R", CultureInfo.InvariantCulture);
        return new ModelDocument(ModelKinds.BernoulliRbm, hyper, new[]
        {
            new NamedTensor("weights", new[] { d, h }, Normal(random, d * h, weightScale)),
            new NamedTensor("visible_bias", new[] { d }, Normal(random, d, 0.5)),
            new NamedTensor("hidden_bias", new[] { h }, Normal(random, h, 0.5)),
        });
    }

    public static ModelDocument GaussianRbm(int d, int h, int seed, double weightScale)
    {
        var random = new Random(seed);
        var sigma = new float[d];
        for (int i = 0; i < d; i++) sigma[i] = (float)(0.5 + 1.5 * random.NextDouble());
        return new ModelDocument(ModelKinds.GaussianRbm, new Dictionary<string, string> { ["visible"] = S(d), ["hidden"] = S(h) }, new[]
        {
            new NamedTensor("weights", new[] { d, h }, Normal(random, d * h, weightScale)),
            new NamedTensor("visible_bias", new[] { d }, Normal(random, d, 0.5)),
            new NamedTensor("hidden_bias", new[] { h }, Normal(random, h, 0.5)),
            new NamedTensor("visible_sigma", new[] { d }, sigma),
        });
    }

    public static ModelDocument Vae(VaeSpec spec, int seed)
    {
        var random = new Random(seed);
        var tensors = new List<NamedTensor>();
        void Dense(string prefix, int inputs, int outputs, double scale)
        {
            tensors.Add(new NamedTensor(prefix + ".weight", new[] { inputs, outputs }, Normal(random, inputs * outputs, scale / Math.Sqrt(inputs))));
            tensors.Add(new NamedTensor(prefix + ".bias", new[] { outputs }, Normal(random, outputs, 0.1)));
        }
        int width = spec.Input;
        for (int i = 0; i < spec.Encoder.Length; i++) { Dense($"encoder.{i}", width, spec.Encoder[i], 1.5); width = spec.Encoder[i]; }
        Dense("encoder.mean", width, spec.Latent, 1.0);
        Dense("encoder.log_variance", width, spec.Latent, 0.5);
        width = spec.Latent;
        for (int i = 0; i < spec.Decoder.Length; i++) { Dense($"decoder.{i}", width, spec.Decoder[i], 1.5); width = spec.Decoder[i]; }
        Dense("decoder.output", width, spec.Input, 2.0);
        if (spec.Likelihood == "gaussian")
        {
            var lv = new float[spec.Input];
            for (int i = 0; i < lv.Length; i++) lv[i] = (float)(-1.5 + 2 * random.NextDouble());
            tensors.Add(new NamedTensor("decoder.log_variance", new[] { spec.Input }, lv));
        }
        tensors.Add(new NamedTensor("scoring_noise", new[] { spec.Samples, spec.Latent }, Normal(random, spec.Samples * spec.Latent, 1.0)));
        var hyper = new Dictionary<string, string>
        {
            ["input"] = S(spec.Input),
            ["latent"] = S(spec.Latent),
            ["encoder_layers"] = string.Join(",", spec.Encoder),
            ["decoder_layers"] = string.Join(",", spec.Decoder),
            ["activation"] = spec.Activation,
            ["likelihood"] = spec.Likelihood,
            ["beta"] = spec.Beta.ToString("R", CultureInfo.InvariantCulture),
            ["prior_scale"] = spec.PriorScale.ToString("R", CultureInfo.InvariantCulture),
            ["scoring_samples"] = S(spec.Samples),
        };
        return new ModelDocument(ModelKinds.Vae, hyper, tensors);
    }

    /// <summary>Random rows: uniform in [0,1] with a third of the values binarised, or standard normal when real-valued.</summary>
    public static float[] RandomRows(int rows, int width, bool realValued, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows * width];
        for (int i = 0; i < x.Length; i++)
        {
            if (realValued) x[i] = (float)Gaussian(random);
            else
            {
                double u = random.NextDouble();
                x[i] = (float)(i % 3 == 0 ? Math.Round(u) : u);
            }
        }
        return x;
    }

    public static float[] Normal(Random random, int count, double scale)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(scale * Gaussian(random));
        return x;
    }

    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static string S(int value) => value.ToString(CultureInfo.InvariantCulture);
}

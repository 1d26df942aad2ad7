using System.CommandLine;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Training;

namespace FreeEnergy.Cli.Commands.Vae;

/// <summary>
/// The options that shape and weight a one- or two-level VAE (<c>--latent</c>, <c>--layers</c>, <c>--upper-layers</c>,
/// <c>--beta</c>, <c>--iwae</c>, <c>--lr-stages</c>, <c>--dynamic-binarize</c>, <c>--kl-warmup</c>), declared once for every verb that trains one (train, anomaly-eval).
/// Defaults: vae <c>--latent 20 --layers 400</c>; vae2 <c>--latent 100,50 --layers 200,200</c>, <c>--upper-layers</c> half of
/// <c>--layers</c>.
/// </summary>
internal sealed class VaeShapeOptions
{
    public readonly Option<string?> Latent = new("--latent") { Description = "vae: latent dimensions (default 20); vae2: Z1,Z2 (default 100,50)." };
    public readonly Option<string?> Layers = new("--layers") { Description = "vae: hidden layer sizes, e.g. 400 or 512,256 (default 400); vae2: those between x and z1 (default 200,200)." };
    public readonly Option<string?> UpperLayers = new("--upper-layers") { Description = "vae2: hidden layer sizes between z1 and z2 (default: half of --layers)." };
    public readonly Option<float?> Beta = new("--beta") { Description = "vae: KL weight (vae2: at both levels)." };
    public readonly Option<int?> Iwae = new("--iwae") { Description = "vae: train the K-sample importance-weighted bound (IWAE, Burda et al. 2016); 1 (default) trains the ELBO." };
    public readonly Option<bool> LearningRateStages = new("--lr-stages") { Description = "vae: the IWAE paper's learning-rate schedule: stage i lasts 3^i epochs at --lr * 10^(-i/7)." };
    public readonly Option<bool> DynamicBinarize = new("--dynamic-binarize") { Description = "vae: draw every training value in [0, 1] anew each epoch as a Bernoulli(value) 0 or 1 (dynamic binarisation); validation rows are drawn once." };
    public readonly Option<int?> KlWarmup = new("--kl-warmup") { Description = "vae: KL warm-up (Sonderby et al. 2016): the KL terms' weight rises linearly over the first E epochs, from 1/E in the first to 1 (default: vae 0 = off; vae2 min(--epochs, 30), measured)." };

    /// <summary>The options, in the order the verbs list them.</summary>
    public Option[] All => [Latent, Layers, UpperLayers, Beta, Iwae, LearningRateStages, DynamicBinarize, KlWarmup];

    /// <summary>Whether any of them was given (a verb training an RBM refuses them).</summary>
    public bool AnyGiven(ParseResult parse)
        => parse.GetValue(Latent) is not null || parse.GetValue(Layers) is not null || parse.GetValue(UpperLayers) is not null || parse.GetValue(Beta) is not null
            || parse.GetValue(Iwae) is not null || parse.GetValue(LearningRateStages) || parse.GetValue(DynamicBinarize) || parse.GetValue(KlWarmup) is not null;

    /// <summary>The <c>--kl-warmup</c> epochs given, checked, or <paramref name="fallback"/> when none was.</summary>
    public int WarmupEpochs(ParseResult parse, int fallback = 0) => CommonOptions.Range("--kl-warmup", parse.GetValue(KlWarmup) ?? fallback, 0, 100_000);

    /// <summary>
    /// New training options for <paramref name="epochs"/> epochs with the shape and weights given (or defaulted, the KL
    /// warm-up by <see cref="VaeDefaults.KlWarmupEpochs"/>); batch, learning rate and seed are the caller's.
    /// <paramref name="latents"/> is Z (vae) or Z1, Z2 (vae2).
    /// </summary>
    public VaeTrainingOptions Read(ParseResult parse, bool twoLevel, int epochs, out int[] latents)
    {
        latents = parse.GetValue(Latent) is { } given ? VaeVerbs.ParseLayers(given, "--latent")
            : twoLevel ? [VaeDefaults.Latent(true), VaeDefaults.UpperLatent] : [VaeDefaults.Latent(false)];
        if (latents.Length != (twoLevel ? 2 : 1))
            throw new CliException(twoLevel ? $"--latent for vae2 takes two sizes Z1,Z2, e.g. 100,50 (got '{parse.GetValue(Latent)}')." : $"--latent for vae takes one size, e.g. 20 (got '{parse.GetValue(Latent)}'); use --model vae2 for two levels.");
        if (!twoLevel && parse.GetValue(UpperLayers) is not null) throw new CliException("--upper-layers applies to --model vae2 only.");
        var options = new VaeTrainingOptions
        {
            LatentDimension = CommonOptions.Range("--latent", latents[0], 1, 100_000),
            UpperLatentDimension = twoLevel ? CommonOptions.Range("--latent", latents[1], 1, 100_000) : 0,
            EncoderLayers = parse.GetValue(Layers) is { } layers ? VaeVerbs.ParseLayers(layers) : VaeDefaults.Layers(twoLevel),
            UpperLayers = parse.GetValue(UpperLayers) is { } upper ? VaeVerbs.ParseLayers(upper, "--upper-layers") : null,
            Beta = parse.GetValue(Beta) ?? 1f,
            UpperBeta = parse.GetValue(Beta) ?? 1f,
            ImportanceSamples = CommonOptions.Range("--iwae", parse.GetValue(Iwae) ?? 1, 1, 10_000),
            LearningRateStages = parse.GetValue(LearningRateStages),
            DynamicBinarization = parse.GetValue(DynamicBinarize),
            Epochs = epochs,
            KlWarmupEpochs = WarmupEpochs(parse, VaeDefaults.KlWarmupEpochs(twoLevel, epochs)),
        };
        if (!(options.Beta > 0) || !float.IsFinite(options.Beta)) throw new CliException($"--beta must be positive (got {options.Beta}).");
        return options;
    }
}

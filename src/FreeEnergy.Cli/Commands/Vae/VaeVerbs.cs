using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Compute;
using FreeEnergy.Data;
using FreeEnergy.Estimation;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Training;
using VaeModel = FreeEnergy.Models.Vae;

namespace FreeEnergy.Cli.Commands.Vae;

/// <summary>
/// The VAE side of the shared verbs (train, score, eval), as plain functions for the verb files to call
/// with parsed options. Nothing here touches the console or registers commands.
/// </summary>
public static class VaeVerbs
{
    /// <summary>Trains a VAE on <paramref name="train"/>; progress and early stopping use <paramref name="validation"/> when given.</summary>
    public static VaeModel Train(DataSet train, DataSet? validation, VaeTrainingOptions options, IComputeBackend? backend = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => Run(train, validation, options, (t, v) => VaeTrainer.Train(t, v, options, backend, progress, cancellationToken));

    /// <summary>Trains a two-level VAE (<see cref="VaeTrainingOptions.UpperLatentDimension"/> &gt; 0) with the checks of <see cref="Train"/>.</summary>
    public static HierarchicalVae TrainHierarchical(DataSet train, DataSet? validation, VaeTrainingOptions options, IComputeBackend? backend = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => Run(train, validation, options, (t, v) => HierarchicalVaeTrainer.Train(t, v, options, backend, progress, cancellationToken));

    private static T Run<T>(DataSet train, DataSet? validation, VaeTrainingOptions options, Func<MatrixView, MatrixView?, T> trainer)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        if (train.Features.Rows == 0) throw new CliException($"no training rows in {train.Source ?? "the data"}.");
        if (validation is not null && validation.Features.Columns != train.Features.Columns)
            throw new CliException($"validation rows have {validation.Features.Columns} values; training rows have {train.Features.Columns}.");
        if (options.EarlyStoppingPatience > 0 && validation is null)
            throw new CliException("early stopping needs validation data.");
        try
        {
            return trainer(train.Features.View, validation?.Features.View);
        }
        catch (DataFormatException e) when (e.File is null && train.Source is not null)
        {
            throw new DataFormatException(e.Message, train.Source, e.Row, e.Column, e);
        }
    }

    /// <summary>
    /// Per-row scores. <paramref name="estimator"/> is elbo (default), iwae or cumulant; with elbo and no
    /// <paramref name="samples"/> the model's deterministic free energy is returned (exactly reproducible, the same as the
    /// ONNX score graph); otherwise <paramref name="samples"/> (default 100 for iwae/cumulant, the model's K for elbo)
    /// fresh draws per row from <paramref name="seed"/>.
    /// </summary>
    public static float[] Score(IVariationalModel model, Matrix data, string? estimator = null, int? samples = null, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var kind = ParseEstimator(estimator);
        if (kind == VaeEstimator.Elbo && samples is null) return model.FreeEnergy(data.View);
        int k = samples ?? (kind == VaeEstimator.Elbo ? model.ScoringSamples : 100);
        if (k <= 0) throw new CliException("--samples must be positive.");
        return model.Score(data.View, kind, k, seed);
    }

    /// <summary>
    /// A summary of -log p(x) estimates on <paramref name="data"/>: the deterministic free energy and, from the same
    /// <paramref name="samples"/> draws per row, F_q, IWAE and the second- and third-order cumulant estimates, each as a
    /// mean over rows with its standard error (nats per row).
    /// </summary>
    public static JsonObject Eval(IVariationalModel model, Matrix data, int samples = 100, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (samples <= 0) throw new CliException("--samples must be positive.");
        if (data.Rows == 0) throw new CliException("no rows to evaluate.");
        var clock = Stopwatch.StartNew();
        var deterministic = model.FreeEnergy(data.View);
        var e = model.Estimate(data.View, samples, seed);
        return new JsonObject
        {
            ["model"] = model.Kind,
            ["rows"] = data.Rows,
            ["samples"] = samples,
            ["seed"] = seed,
            ["backend"] = model.Backend.Name,
            ["freeEnergy"] = Summary(deterministic),
            ["negativeElbo"] = Summary(e.FreeEnergy),
            ["iwae"] = Summary(e.ImportanceWeighted),
            ["cumulant2"] = Summary(e.CumulantSecondOrder),
            ["cumulant3"] = Summary(e.CumulantThirdOrder),
            ["seconds"] = clock.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Parses elbo|iwae|cumulant (null or empty: elbo).</summary>
    public static VaeEstimator ParseEstimator(string? name) => (name ?? "elbo").Trim().ToLowerInvariant() switch
    {
        "" or "elbo" or "free-energy" => VaeEstimator.Elbo,
        "iwae" => VaeEstimator.Iwae,
        "cumulant" => VaeEstimator.Cumulant,
        var other => throw new CliException($"estimator '{other}' does not apply to a VAE; use elbo, iwae or cumulant."),
    };

    /// <summary>Parses relu|tanh|softplus.</summary>
    public static Activation ParseActivation(string name) => name.Trim().ToLowerInvariant() switch
    {
        "relu" => Activation.Relu,
        "tanh" => Activation.Tanh,
        "softplus" => Activation.Softplus,
        var other => throw new CliException($"unknown activation '{other}'; use relu, tanh or softplus."),
    };

    /// <summary>Parses bernoulli|gaussian.</summary>
    public static VaeLikelihood ParseLikelihood(string name) => name.Trim().ToLowerInvariant() switch
    {
        "bernoulli" => VaeLikelihood.Bernoulli,
        "gaussian" => VaeLikelihood.Gaussian,
        var other => throw new CliException($"unknown likelihood '{other}'; use bernoulli or gaussian."),
    };

    /// <summary>Parses a layer list such as "400" or "512,256" ("" or "none": no hidden layers).</summary>
    public static int[] ParseLayers(string text, string option = "--layers")
    {
        text = text.Trim();
        if (text.Length == 0 || text.Equals("none", StringComparison.OrdinalIgnoreCase)) return [];
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out result[i]) || result[i] <= 0)
                throw new CliException($"{option} '{text}' is not a comma-separated list of positive widths (e.g. 400 or 512,256).");
        return result;
    }

    private static JsonObject Summary(float[] values)
    {
        double sum = 0, sumSq = 0;
        foreach (var v in values) { sum += v; sumSq += (double)v * v; }
        int n = values.Length;
        double mean = sum / n;
        double variance = n > 1 ? Math.Max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
        return new JsonObject
        {
            ["mean"] = JsonOutput.Number(mean),
            ["standardError"] = JsonOutput.Number(Math.Sqrt(variance / n)),
        };
    }
}

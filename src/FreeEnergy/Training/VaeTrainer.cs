using System.Globalization;
using FreeEnergy.Compute;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// Trains a <see cref="Vae"/> by minimising the mean variational free energy of mini-batches with the
/// reparameterisation trick (one draw per row) and Adam. Mini-batch order comes from a Philox stream of
/// (seed, epoch) and the noise of batch b in epoch e from Philox (seed, stream(e, b), index row * Z + j), so a
/// seed gives bit-identical weights run to run (so do the draws of <see cref="VaeTrainingOptions.DynamicBinarization"/>,
/// see <see cref="Binarization"/>). With a <see cref="Compute.Cuda.CudaBackend"/> a Bernoulli-decoder VAE
/// trains device-resident (data, parameters, Adam moments and activations on the GPU; see docs/cuda.md).
/// Thread safety: the static methods may run concurrently on different models; the model being trained must not be
/// used by anything else meanwhile (see docs/threading.md).
/// </summary>
public static class VaeTrainer
{
    /// <summary>Training sets of at most this many floats train device-resident on a GPU; larger ones run the CPU loop with the backend's GEMM.</summary>
    internal const long DeviceResidentFloats = 1L << 28;

    /// <summary>Creates a VAE for <paramref name="training"/>'s width and trains it.</summary>
    /// <exception cref="DataFormatException">Rows that are not finite, or outside [0, 1] for the Bernoulli likelihood.</exception>
    /// <exception cref="TrainingDivergedException">The loss or the parameters stopped being finite.</exception>
    public static Vae Train(MatrixView training, MatrixView? validation, VaeTrainingOptions options,
        IComputeBackend? backend = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.UpperLatentDimension > 0)
            throw new ArgumentException("UpperLatentDimension describes a two-level VAE; train it with HierarchicalVaeTrainer.", nameof(options));
        return Trained(Vae.Create(training.Columns, options), backend, model => Fit(model, training, validation, options, progress, cancellationToken));
    }

    /// <summary>A new <paramref name="model"/> moved to <paramref name="backend"/> (when given) and trained by <paramref name="fit"/>.</summary>
    internal static TModel Trained<TModel>(TModel model, IComputeBackend? backend, Action<TModel> fit) where TModel : IVariationalModel
    {
        if (backend is not null) model.Backend = backend;
        fit(model);
        return model;
    }

    /// <summary>
    /// Trains <paramref name="model"/> in place (its architecture is kept; the optimisation settings of
    /// <paramref name="options"/> apply) and returns one progress record per epoch run. On divergence the
    /// parameters are restored to those at the start of the failing epoch before the exception is thrown.
    /// </summary>
    public static IReadOnlyList<TrainingProgress> Fit(Vae model, MatrixView training, MatrixView? validation, VaeTrainingOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        // Bernoulli decoder on a GPU: data, parameters, Adam moments and activations stay on the device.
        return FitWith(model.CheckRows, model.TrainingNotes, training, validation, options, (settings, measured) => DeviceVaeStep.Run(model.Backend, options,
            DeviceVaeStep.Fits(model.Layout, training), device => new DeviceVaeSession(device, model, training, measured, options),
            () => new VaeTrainingSession(model, training, measured, options), settings, progress, cancellationToken));
    }

    /// <summary>
    /// What every VAE trainer does around its step: the checks (<see cref="Check"/>, the rows through the model's
    /// <paramref name="checkRows"/>), the epoch loop that <paramref name="run"/> runs with the checked settings and the
    /// validation rows to measure (<see cref="Binarization.Validation"/>), and the training settings recorded in the model's
    /// <paramref name="notes"/>; returns one progress record per epoch.
    /// </summary>
    internal static IReadOnlyList<TrainingProgress> FitWith(Action<MatrixView, string, string?> checkRows, IDictionary<string, string> notes,
        MatrixView training, MatrixView? validation, VaeTrainingOptions options, Func<EpochLoop.Settings, MatrixView?, EpochLoop.Result> run)
    {
        var settings = Check(checkRows, training, validation, options);
        var result = run(settings, Binarization.Validation(validation, options));
        Annotate(notes, options, result.EpochsRun);
        return result.History;
    }

    /// <summary>
    /// The checks of every VAE trainer (the options, the rows through the model's <paramref name="checkRows"/>, early
    /// stopping's validation rows) and the epoch loop's settings for them.
    /// </summary>
    internal static EpochLoop.Settings Check(Action<MatrixView, string, string?> checkRows, MatrixView training, MatrixView? validation, VaeTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        checkRows(training, "training", null);
        if (training.Rows == 0) throw new DataFormatException("there are no training rows.");
        if (validation is { } v) checkRows(v, "validation", null);
        if (options.DynamicBinarization)
        {
            Binarization.CheckRange(training, "training");
            if (validation is { } w) Binarization.CheckRange(w, "validation");
        }
        bool hasValidation = validation is { Rows: > 0 };
        if (options.EarlyStoppingPatience > 0 && !hasValidation)
            throw new ArgumentException("EarlyStoppingPatience needs validation rows.", nameof(validation));
        return new EpochLoop.Settings(training.Rows, options.Epochs, options.LearningRateAt, options.Seed, Vae.PurposeShuffle,
            Shuffle: true, hasValidation ? options.EarlyStoppingPatience : 0, RestoreBestAtEnd: true);
    }

    /// <summary>The KL term's weight in an epoch: 1 / beta, ramped up linearly over the warm-up epochs.</summary>
    internal static float KlWeight(VaeTrainingOptions options, int epoch, float invBeta)
        => (options.KlWarmupEpochs > 0 ? Math.Min(1f, (epoch + 1f) / options.KlWarmupEpochs) : 1f) * invBeta;

    /// <summary>The epoch's mean training loss and, with validation rows, their mean free energy (which must be finite).</summary>
    internal static EpochMeasures Measures(IFreeEnergyModel model, double trainingLoss, MatrixView? validation)
    {
        if (validation is not { Rows: > 0 } v) return new EpochMeasures(trainingLoss, double.NaN, double.NaN);
        var f = model.FreeEnergy(v);
        double s = 0;
        foreach (var x in f) s += x;
        double loss = f.Length == 0 ? double.NaN : s / f.Length;
        return new EpochMeasures(trainingLoss, loss, double.NaN, double.IsFinite(loss) ? null : "validation free energy");
    }

    /// <summary>The training settings recorded in a VAE's model file.</summary>
    internal static void Annotate(IDictionary<string, string> notes, VaeTrainingOptions options, int epochs)
    {
        var c = CultureInfo.InvariantCulture;
        notes["epochs"] = epochs.ToString(c);
        notes["batch_size"] = options.BatchSize.ToString(c);
        notes["learning_rate"] = options.LearningRate.ToString("R", c);
        notes["kl_warmup_epochs"] = options.KlWarmupEpochs.ToString(c);
        notes["seed"] = options.Seed.ToString(c);
        if (options.ImportanceSamples > 1) notes["importance_samples"] = options.ImportanceSamples.ToString(c);
        if (options.LearningRateStages) notes["learning_rate_schedule"] = "iwae_stages";
        if (options.DynamicBinarization) notes["dynamic_binarization"] = "true";
    }

    /// <summary>The divergence report of the CPU and device VAE steps.</summary>
    internal static TrainingDivergedException Diverged(int epoch, VaeTrainingOptions options, string what)
    {
        return new TrainingDivergedException(
            $"VAE training diverged in epoch {epoch + 1}: the {what} became NaN or infinite. The parameters were restored to the start of that epoch. " +
            $"Try a lower learning rate (now {options.LearningRate.ToString("G", CultureInfo.InvariantCulture)}), e.g. {(options.LearningRate / 10).ToString("G", CultureInfo.InvariantCulture)}.",
            epoch + 1);
    }
}

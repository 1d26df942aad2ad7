using System.Diagnostics;
using System.Globalization;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// Trains a <see cref="Vae"/> by minimising the mean variational free energy of mini-batches with the
/// reparameterisation trick (one draw per row) and Adam. Mini-batch order comes from a Philox stream of
/// (seed, epoch) and the noise of batch b in epoch e from Philox (seed, stream(e, b), index row * Z + j), so a
/// seed gives bit-identical weights run to run. With a <see cref="Compute.Cuda.CudaBackend"/> a Bernoulli-decoder VAE
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
        var model = Vae.Create(training.Columns, options);
        if (backend is not null) model.Backend = backend;
        Fit(model, training, validation, options, progress, cancellationToken);
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
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        model.CheckRows(training, "training");
        if (training.Rows == 0) throw new DataFormatException("there are no training rows.");
        if (validation is { } v) model.CheckRows(v, "validation");
        bool hasValidation = validation is { Rows: > 0 };
        if (options.EarlyStoppingPatience > 0 && !hasValidation)
            throw new ArgumentException("EarlyStoppingPatience needs validation rows.", nameof(validation));

        if (model.Layout.Likelihood == VaeLikelihood.Bernoulli && (long)training.Rows * training.Columns <= DeviceResidentFloats)
        {
            // Bernoulli decoder on a GPU: data, parameters, Adam moments and activations stay on the device.
            var device = options.DeviceArrays;
            bool owned = false;
            if (device is null && model.Backend is Compute.Cuda.CudaBackend gpu)
            {
                device = new Compute.Cuda.CudaDeviceArrays(gpu);
                owned = true;
            }
            if (device is not null)
            {
                try
                {
                    using var session = new DeviceVaeSession(device);
                    var run = session.Run(model, training, validation, options, progress, cancellationToken);
                    Annotate(model, options, run.Count);
                    return run;
                }
                finally
                {
                    if (owned) device.Dispose();
                }
            }
        }
        var backend = model.Backend;
        var layout = model.Layout;
        var theta = model.Parameters;
        int n = training.Rows, d = layout.Input, batch = Math.Min(options.BatchSize, n);
        var ws = new VaeWorkspace(layout, batch) { PriorScale = model.PriorScale };
        var grad = new float[layout.Count];
        var adam = new AdamOptimizer(layout.TrainableCount, options.LearningRate, options.AdamBeta1, options.AdamBeta2, options.AdamEpsilon, options.WeightDecay);
        var lastGood = (float[])theta.Clone();
        var patience = new ValidationPatience(options.EarlyStoppingPatience);
        var order = new int[n];
        var history = new List<TrainingProgress>(options.Epochs);
        var clock = Stopwatch.StartNew();
        float invBeta = 1f / model.Beta;

        int[] gatherOrder = order;
        int gatherStart = 0;
        void Gather(int start, int end)
        {
            for (int r = start; r < end; r++)
                training.Array.AsSpan(training.Offset + gatherOrder[gatherStart + r] * d, d).CopyTo(ws.X.AsSpan(r * d, d));
        }
        Action<int, int> gather = Gather;

        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            Array.Copy(theta, lastGood, theta.Length);
            for (int i = 0; i < n; i++) order[i] = i;
            new RandomStream(options.Seed, Philox.Stream(Vae.PurposeShuffle, (ulong)epoch)).Shuffle(order);
            float warm = options.KlWarmupEpochs > 0 ? Math.Min(1f, (epoch + 1f) / options.KlWarmupEpochs) : 1f;
            float klWeight = warm * invBeta;
            double lossSum = 0;
            int batchIndex = 0;
            for (int start = 0; start < n; start += batch, batchIndex++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int rows = Math.Min(batch, n - start);
                gatherStart = start;
                backend.For(rows, 16, gather);
                ws.FillNoise(backend, options.Seed, Philox.Stream(Vae.PurposeNoise, (ulong)epoch, (ulong)batchIndex), rows);
                ws.ForwardBackward(backend, theta, grad, rows, klWeight);
                double batchLoss = 0;
                for (int r = 0; r < rows; r++) batchLoss += ws.Reconstruction[r] + invBeta * ws.Kl[r];
                // A NaN gradient with a finite loss poisons the parameters and so the next batch's loss; the epoch-end
                // parameter check catches the last batch. Either way the epoch's starting point is restored.
                if (!double.IsFinite(batchLoss)) Diverged(theta, lastGood, epoch, options, "loss");
                lossSum += batchLoss;
                adam.Step(backend, theta, grad);
                if (layout.LearnVariance)
                {
                    var lv = theta.AsSpan(layout.DecoderLogVarianceOffset, d);
                    System.Numerics.Tensors.TensorPrimitives.Max(lv, options.MinLogVariance, lv);
                }
            }
            if (!AllFinite(theta)) Diverged(theta, lastGood, epoch, options, "parameters");

            double validationLoss = double.NaN;
            if (hasValidation)
            {
                validationLoss = Mean(model.FreeEnergy(validation!.Value));
                if (!double.IsFinite(validationLoss)) Diverged(theta, lastGood, epoch, options, "validation free energy");
            }
            var report = new TrainingProgress(epoch + 1, options.Epochs, lossSum / n, validationLoss, double.NaN, clock.Elapsed.TotalSeconds);
            history.Add(report);
            progress?.Report(report);

            if (hasValidation && options.EarlyStoppingPatience > 0 && patience.ShouldStop(validationLoss, theta)) break;
        }
        patience.RestoreBest(theta);

        Annotate(model, options, history.Count);
        return history;
    }

    private static void Annotate(Vae model, VaeTrainingOptions options, int epochs)
    {
        var c = CultureInfo.InvariantCulture;
        model.TrainingNotes["epochs"] = epochs.ToString(c);
        model.TrainingNotes["batch_size"] = options.BatchSize.ToString(c);
        model.TrainingNotes["learning_rate"] = options.LearningRate.ToString("R", c);
        model.TrainingNotes["kl_warmup_epochs"] = options.KlWarmupEpochs.ToString(c);
        model.TrainingNotes["seed"] = options.Seed.ToString(c);
    }

    private static void Diverged(float[] theta, float[] lastGood, int epoch, VaeTrainingOptions options, string what)
    {
        Array.Copy(lastGood, theta, theta.Length);
        ThrowDiverged(epoch, options, what);
    }

    internal static void ThrowDiverged(int epoch, VaeTrainingOptions options, string what)
    {
        throw new TrainingDivergedException(
            $"VAE training diverged in epoch {epoch + 1}: the {what} became NaN or infinite. The parameters were restored to the start of that epoch. " +
            $"Try a lower learning rate (now {options.LearningRate.ToString("G", CultureInfo.InvariantCulture)}), e.g. {(options.LearningRate / 10).ToString("G", CultureInfo.InvariantCulture)}.",
            epoch + 1);
    }

    private static bool AllFinite(float[] values)
    {
        foreach (var v in values) if (!float.IsFinite(v)) return false;
        return true;
    }

    private static double Mean(float[] values)
    {
        double s = 0;
        foreach (var v in values) s += v;
        return values.Length == 0 ? double.NaN : s / values.Length;
    }
}

using FreeEnergy.Compute;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// Trains a <see cref="HierarchicalVae"/> on the CPU by minimising the mean free energy F_q of mini-batches (one draw per
/// row) or, with <see cref="VaeTrainingOptions.ImportanceSamples"/> = k &gt; 1, the k-sample importance-weighted bound, with
/// Adam; the settings, seeds and determinism are those of <see cref="VaeTrainer"/> (a seed gives bit-identical weights on
/// any thread count). With a <see cref="Compute.Cuda.CudaBackend"/> a Bernoulli-decoder model trains device-resident
/// (<see cref="DeviceHierarchicalVaeSession"/>; see docs/cuda.md).
/// </summary>
public static class HierarchicalVaeTrainer
{
    /// <summary>Creates a two-level VAE for <paramref name="training"/>'s width (<see cref="VaeTrainingOptions.UpperLatentDimension"/> &gt; 0) and trains it.</summary>
    /// <exception cref="DataFormatException">Rows that are not finite, or outside [0, 1] for the Bernoulli likelihood.</exception>
    /// <exception cref="TrainingDivergedException">The loss or the parameters stopped being finite.</exception>
    public static HierarchicalVae Train(MatrixView training, MatrixView? validation, VaeTrainingOptions options,
        IComputeBackend? backend = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => VaeTrainer.Trained(HierarchicalVae.Create(training.Columns, options), backend, model => Fit(model, training, validation, options, progress, cancellationToken));

    /// <summary>Trains <paramref name="model"/> in place and returns one progress record per epoch (as <see cref="VaeTrainer.Fit"/>).</summary>
    public static IReadOnlyList<TrainingProgress> Fit(HierarchicalVae model, MatrixView training, MatrixView? validation, VaeTrainingOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return VaeTrainer.FitWith(model.CheckRows, model.TrainingNotes, training, validation, options,
            (settings, measured) => DeviceVaeStep.Run(model.Backend, options, DeviceVaeStep.Fits(model.Layout, training),
                device => new DeviceHierarchicalVaeSession(device, model, training, measured, options),
                () => new HierarchicalVaeTrainingSession(model, training, measured, options), settings, progress, cancellationToken));
    }
}

using FreeEnergy.Models;
using FreeEnergy.Training;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// Options of the FreeEnergy transforms (<c>FreeEnergyEncode</c>, <c>FreeEnergyReconstruct</c>, <c>FreeEnergyScore</c>):
/// either a trained <see cref="Model"/> to wrap, or the kind of model to train on <c>Fit</c> and its training options.
/// </summary>
public class FreeEnergyTransformOptions
{
    /// <summary>
    /// A trained model to apply (for example one loaded with <c>ModelFile.Load</c>); when set, <c>Fit</c> trains nothing
    /// and the other training options are ignored. Default: null (train on <c>Fit</c>).
    /// </summary>
    public IFreeEnergyModel? Model { get; set; }

    /// <summary>The model trained on <c>Fit</c> when <see cref="Model"/> is null. Default: <see cref="FreeEnergyModelKind.BernoulliRbm"/>.</summary>
    public FreeEnergyModelKind ModelKind { get; set; } = FreeEnergyModelKind.BernoulliRbm;

    /// <summary>Training options of the RBM kinds (hidden units, epochs, learning rate, negative phase, seed...). Default: the engine's defaults.</summary>
    public RbmTrainingOptions Rbm { get; set; } = new();

    /// <summary>Training options of <see cref="FreeEnergyModelKind.Vae"/> (latent size, layers, epochs, seed...). Default: the engine's defaults.</summary>
    public VaeTrainingOptions Vae { get; set; } = new();

    /// <summary>
    /// The GPU that ONNX Runtime scores on (CUDA execution provider), or null for the CPU (or the <c>MLContext.GpuDeviceId</c>
    /// when that is set). Passed through to <c>ApplyOnnxModel</c>. Default: null.
    /// </summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>When the GPU cannot be used, score on the CPU instead of failing. Passed through to <c>ApplyOnnxModel</c>. Default: false.</summary>
    public bool FallbackToCpu { get; set; }
}

using FreeEnergy.Compute;
using FreeEnergy.Models;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// Options of the FreeEnergy transforms (<c>FreeEnergyEncode</c>, <c>FreeEnergyReconstruct</c>, <c>FreeEnergyScore</c>):
/// either a trained <see cref="Model"/> to wrap, or the kind of model to train on <c>Fit</c> and its training options.
/// Every default is in <see cref="FreeEnergyDefaults"/>.
/// </summary>
public class FreeEnergyTransformOptions
{
    /// <summary>
    /// A trained model to apply (for example one loaded with <c>ModelFile.Load</c>); when set, <c>Fit</c> trains nothing
    /// and the training options are ignored. Default: null (train on <c>Fit</c>).
    /// </summary>
    public IFreeEnergyModel? Model { get; set; }

    /// <summary>The model trained on <c>Fit</c> when <see cref="Model"/> is null. Default: <see cref="FreeEnergyDefaults.TransformModelKind"/>.</summary>
    public FreeEnergyModelKind ModelKind { get; set; } = FreeEnergyDefaults.TransformModelKind;

    /// <summary>Training options of the RBM kinds. Default: see <see cref="FreeEnergyRbmOptions"/>.</summary>
    public FreeEnergyRbmOptions Rbm { get; set; } = new();

    /// <summary>Training options of <see cref="FreeEnergyModelKind.Vae"/> and <see cref="FreeEnergyModelKind.HierarchicalVae"/>. Default: see <see cref="FreeEnergyVaeOptions"/>.</summary>
    public FreeEnergyVaeOptions Vae { get; set; } = new();

    /// <summary>
    /// Threshold the inputs at 0.5 (x &gt; 0.5 becomes 1) before training and scoring. Recorded in the model
    /// (<c>input_binarization</c>) and applied by its ONNX graph, so saved pipelines binarise too. For images in [0, 1],
    /// where binary models and the input complexity code the same binary image. Default: false.
    /// </summary>
    public bool Binarize { get; set; }

    /// <summary>
    /// The random seed of training; null derives one from the <c>MLContext</c>'s seed (so <c>new MLContext(seed: 1)</c>
    /// trains the same model every time). Default: null.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Where training on <c>Fit</c> runs: <see cref="ComputeDevice.Cpu"/>, <see cref="ComputeDevice.Cuda"/> (the engine's
    /// CUDA backend; an error where none is usable) or <see cref="ComputeDevice.Auto"/> (CUDA where usable, else the CPU).
    /// Default: <see cref="ComputeDevice.Cpu"/>.
    /// </summary>
    public ComputeDevice TrainingDevice { get; set; } = ComputeDevice.Cpu;

    /// <summary>
    /// The GPU that ONNX Runtime scores on (CUDA execution provider), or null for the CPU (or the <c>MLContext.GpuDeviceId</c>
    /// when that is set). Passed through to <c>ApplyOnnxModel</c>. Default: null.
    /// </summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>When the GPU cannot be used, score on the CPU instead of failing. Passed through to <c>ApplyOnnxModel</c>. Default: false.</summary>
    public bool FallbackToCpu { get; set; }
}

using FreeEnergy.Persistence;
using FreeEnergy.Tensors;

namespace FreeEnergy.Models;

/// <summary>
/// What every trained model offers: encode, reconstruct, a per-row free energy (the default anomaly
/// score: higher means less like the training data) and conversion to a model file document.
/// Implementations are safe to use from several threads at once for these read-only operations.
/// </summary>
public interface IFreeEnergyModel
{
    /// <summary>The model kind (see <see cref="ModelKinds"/>).</summary>
    string Kind { get; }

    /// <summary>Width of an input row.</summary>
    int InputDimension { get; }

    /// <summary>Width of an encoded row (hidden units or latent dimensions).</summary>
    int EncodedDimension { get; }

    /// <summary>Encodes each row: p(h=1|v) for RBMs, the latent mean for VAEs.</summary>
    Matrix Encode(MatrixView data);

    /// <summary>Mean-field reconstruction of each row.</summary>
    Matrix Reconstruct(MatrixView data);

    /// <summary>The model's default free energy per row, in nats (RBM: F(v); VAE: deterministic F_q).</summary>
    float[] FreeEnergy(MatrixView data);

    /// <summary>The model's parameters and hyperparameters for saving.</summary>
    ModelDocument ToDocument();

    /// <summary>
    /// Free-form facts saved with the model as hyperparameters: training settings, and rules that apply to its input
    /// (<c>input_binarization</c>: the model was trained on binarised rows and its ONNX graphs binarise their input).
    /// </summary>
    IDictionary<string, string> Annotations { get; }
}

using FreeEnergy.Compute;
using FreeEnergy.Compute.Device;

namespace FreeEnergy.Models;

/// <summary>
/// The forward passes of a <see cref="Vae"/> on a device (<see cref="IDeviceArrays"/>) with its flat parameter vector
/// resident in <see cref="Theta"/>: dense layers are one GEMM plus a fused bias+activation (or bias) kernel.
/// Shared by the device-resident trainer and the device-resident F_q scoring.
/// </summary>
internal sealed class DeviceVaeNetwork(IDeviceArrays device, VaeLayout layout, DeviceArray theta)
{
    public IDeviceArrays Device { get; } = device;
    public VaeLayout Layout { get; } = layout;
    public DeviceArray Theta { get; } = theta;

    public DeviceSlice Weight(DenseLayer layer) => Theta.Slice(layer.WeightOffset, layer.WeightCount);

    public DeviceSlice Bias(DenseLayer layer) => Theta.Slice(layer.BiasOffset, layer.Out);

    /// <summary>output = input W + b, then the hidden activation when <paramref name="activated"/>.</summary>
    public void Dense(DenseLayer layer, DeviceSlice input, int rows, DeviceSlice output, bool activated)
    {
        Device.Gemm(Transpose.None, Transpose.None, rows, layer.Out, layer.In, 1f, input, layer.In, Weight(layer), layer.Out, 0f, output, layer.Out);
        if (activated) Device.BiasActivation(output, Bias(layer), rows, layer.Out, Layout.Activation);
        else Device.AddRowBias(output, Bias(layer), rows, layer.Out);
    }

    /// <summary>Encoder layers into <paramref name="hidden"/> (one buffer per layer) and the [mu | log variance] heads into <paramref name="head"/>.</summary>
    public void Encode(DeviceSlice x, int rows, DeviceArray[] hidden, DeviceSlice head) => Stack(Layout.Encoder, Layout.Head, x, rows, hidden, head);

    /// <summary>Decoder layers into <paramref name="hidden"/> and the output (logits or means) into <paramref name="output"/>.</summary>
    public void Decode(DeviceSlice z, int rows, DeviceArray[] hidden, DeviceSlice output) => Stack(Layout.Decoder, Layout.Output, z, rows, hidden, output);

    // Activated hidden layers, each into its own buffer, then the last layer without activation.
    private void Stack(DenseLayer[] layers, DenseLayer last, DeviceSlice input, int rows, DeviceArray[] hidden, DeviceSlice output)
    {
        for (int i = 0; i < layers.Length; i++)
        {
            var l = layers[i];
            Dense(l, input, rows, hidden[i].Slice(0, rows * l.Out), true);
            input = hidden[i].Slice(0, rows * l.Out);
        }
        Dense(last, input, rows, output, false);
    }
}

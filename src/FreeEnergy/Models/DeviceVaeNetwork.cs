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
    public void Encode(DeviceSlice x, int rows, DeviceArray[] hidden, DeviceSlice head)
    {
        var input = x;
        for (int i = 0; i < Layout.Encoder.Length; i++)
        {
            var l = Layout.Encoder[i];
            Dense(l, input, rows, hidden[i].Slice(0, rows * l.Out), true);
            input = hidden[i].Slice(0, rows * l.Out);
        }
        Dense(Layout.Head, input, rows, head, false);
    }

    /// <summary>Decoder layers into <paramref name="hidden"/> and the output (logits or means) into <paramref name="output"/>.</summary>
    public void Decode(DeviceSlice z, int rows, DeviceArray[] hidden, DeviceSlice output)
    {
        var input = z;
        for (int i = 0; i < Layout.Decoder.Length; i++)
        {
            var l = Layout.Decoder[i];
            Dense(l, input, rows, hidden[i].Slice(0, rows * l.Out), true);
            input = hidden[i].Slice(0, rows * l.Out);
        }
        Dense(Layout.Output, input, rows, output, false);
    }
}

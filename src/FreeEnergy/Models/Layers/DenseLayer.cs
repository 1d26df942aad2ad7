using FreeEnergy.Compute;
using FreeEnergy.Compute.Device;

namespace FreeEnergy.Models;

/// <summary>
/// y = activation(x W + b) on a device seam, with its weight [In, Out] and bias [Out] slices of a flat parameter vector
/// and, when training, the matching slices of the gradient vector.
/// </summary>
internal sealed class DenseLayer
{
    private readonly IVaeDeviceOps _ops;
    private readonly DeviceSlice _weightGradient, _biasGradient;

    public DenseLayer(IDeviceArrays device, DenseShape shape, Activation activation, DeviceSlice parameters, DeviceSlice? gradient)
    {
        _ops = device.Ops<IVaeDeviceOps>();
        In = shape.In;
        Out = shape.Out;
        Activation = activation;
        Weight = parameters.Slice(shape.WeightOffset, shape.WeightCount);
        Bias = parameters.Slice(shape.BiasOffset, shape.Out);
        if (gradient is { } g)
        {
            _weightGradient = g.Slice(shape.WeightOffset, shape.WeightCount);
            _biasGradient = g.Slice(shape.BiasOffset, shape.Out);
        }
    }

    public int In { get; }
    public int Out { get; }
    public Activation Activation { get; }
    public DeviceSlice Weight { get; }
    public DeviceSlice Bias { get; }

    /// <summary>output [rows, Out] = activation(input [rows, In] W + b).</summary>
    public void Forward(DeviceSlice input, int rows, DeviceSlice output) => _ops.Dense(input, Weight, Bias, rows, In, Out, Activation, output);

    /// <summary>
    /// From dL/dy in <paramref name="outputGrad"/> (turned into dL/d(x W + b) in place, through the layer's forward
    /// <paramref name="output"/>): dW = x^T dY and db = column sums of dY into the gradient vector, and dL/dx = dY W^T
    /// into <paramref name="inputGrad"/> when given.
    /// </summary>
    public void Backward(DeviceSlice input, DeviceSlice output, DeviceSlice outputGrad, int rows, DeviceSlice? inputGrad)
    {
        if (Activation != Activation.None) _ops.ActivationBackward(outputGrad, output, rows, Out, Activation);
        _ops.Gemm(Transpose.Transposed, Transpose.None, In, Out, rows, 1f, input, In, outputGrad, Out, 0f, _weightGradient, Out);
        _ops.ColumnSums(outputGrad, rows, Out, _biasGradient);
        if (inputGrad is { } dx)
            _ops.Gemm(Transpose.None, Transpose.Transposed, rows, In, Out, 1f, outputGrad, Out, Weight, Out, 0f, dx, In);
    }
}

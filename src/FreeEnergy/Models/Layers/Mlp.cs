using FreeEnergy.Compute;
using FreeEnergy.Compute.Device;

namespace FreeEnergy.Models;

/// <summary>
/// A chain of <see cref="DenseLayer"/>s: hidden layers with the activation, each writing its own buffer of up to
/// <c>capacity</c> rows (and, when training, a buffer for its gradient), then a last layer without activation that
/// writes the caller's buffer.
/// </summary>
internal sealed class Mlp
{
    private readonly DenseLayer[] _layers;
    private readonly DeviceArray[] _hidden, _hiddenGrad;

    /// <param name="device">The seam the layers run on; it allocates the buffers, which are added to <paramref name="owned"/>.</param>
    /// <param name="hidden">The activated layers, input side first.</param>
    /// <param name="last">The final layer (no activation).</param>
    /// <param name="activation">The hidden layers' activation.</param>
    /// <param name="parameters">The flat parameter vector the layers' slices refer to.</param>
    /// <param name="gradient">The flat gradient vector (training), or null.</param>
    /// <param name="capacity">Most rows per pass.</param>
    /// <param name="owned">Collects the allocated buffers for the caller to dispose.</param>
    public Mlp(IDeviceArrays device, DenseShape[] hidden, DenseShape last, Activation activation, DeviceSlice parameters, DeviceSlice? gradient,
        int capacity, List<DeviceArray> owned)
    {
        _layers = new DenseLayer[hidden.Length + 1];
        for (int i = 0; i < hidden.Length; i++) _layers[i] = new DenseLayer(device, hidden[i], activation, parameters, gradient);
        _layers[^1] = new DenseLayer(device, last, Activation.None, parameters, gradient);
        DeviceArray Own(int length) { var a = device.Allocate(length); owned.Add(a); return a; }
        _hidden = hidden.Select(l => Own(capacity * l.Out)).ToArray();
        _hiddenGrad = gradient is null ? [] : hidden.Select(l => Own(capacity * l.Out)).ToArray();
    }

    /// <summary>output [rows, last.Out] from input [rows, first.In], keeping every hidden layer's output.</summary>
    public void Forward(DeviceSlice input, int rows, DeviceSlice output)
    {
        for (int i = 0; i < _hidden.Length; i++)
        {
            var h = Hidden(i, rows);
            _layers[i].Forward(input, rows, h);
            input = h;
        }
        _layers[^1].Forward(input, rows, output);
    }

    /// <summary>
    /// Backward from dL/d(output) in <paramref name="outputGrad"/> (overwritten) after <see cref="Forward"/> on the same
    /// <paramref name="input"/>: every layer's parameter gradient, and dL/d(input) into <paramref name="inputGrad"/> when given.
    /// </summary>
    public void Backward(DeviceSlice input, DeviceSlice outputGrad, int rows, DeviceSlice? inputGrad)
    {
        int top = _hidden.Length;
        for (int i = top; i >= 0; i--)
        {
            var below = i > 0 ? Hidden(i - 1, rows) : input;
            DeviceSlice? belowGrad = i > 0 ? _hiddenGrad[i - 1].Slice(0, rows * _layers[i].In) : inputGrad;
            var dy = i == top ? outputGrad : _hiddenGrad[i].Slice(0, rows * _layers[i].Out);
            _layers[i].Backward(below, i == top ? dy : Hidden(i, rows), dy, rows, belowGrad);
        }
    }

    private DeviceSlice Hidden(int i, int rows) => _hidden[i].Slice(0, rows * _layers[i].Out);
}

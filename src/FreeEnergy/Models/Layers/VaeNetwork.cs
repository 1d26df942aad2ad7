using FreeEnergy.Compute.Device;

namespace FreeEnergy.Models;

/// <summary>
/// A <see cref="Vae"/> written once over a device seam: the encoder <see cref="Mlp"/> x -&gt; [mu | log variance], the
/// reparameterisation z = mu + e^(lv/2) eps, the decoder <see cref="Mlp"/> z -&gt; logits or means, and the backward
/// pass through all three, with buffers for up to <c>encoderRows</c> encoded and <c>decoderRows</c> decoded rows.
/// The CPU engine runs it on <see cref="HostDeviceArrays"/> (see <see cref="VaeWorkspace"/>), the device trainer and
/// scorer on the GPU's seam.
/// </summary>
internal sealed class VaeNetwork : IDisposable
{
    private readonly IVaeDeviceOps _ops;
    private readonly List<DeviceArray> _owned = [];
    private readonly Mlp _encoder, _decoder;
    private readonly int _latent, _input;

    /// <param name="device">The seam; it allocates the buffers (disposed with this).</param>
    /// <param name="layout">The architecture.</param>
    /// <param name="parameters">The flat parameter vector on the seam.</param>
    /// <param name="gradient">The flat gradient vector (training), or null for forward passes only.</param>
    /// <param name="encoderRows">Most rows per <see cref="Encode"/>.</param>
    /// <param name="decoderRows">Most rows per <see cref="Decode"/>.</param>
    public VaeNetwork(IDeviceArrays device, VaeLayout layout, DeviceSlice parameters, DeviceSlice? gradient, int encoderRows, int decoderRows)
    {
        _ops = device.Ops<IVaeDeviceOps>();
        _latent = layout.Latent;
        _input = layout.Input;
        try
        {
            _encoder = new Mlp(device, layout.Encoder, layout.Head, layout.Activation, parameters, gradient, encoderRows, _owned);
            _decoder = new Mlp(device, layout.Decoder, layout.Output, layout.Activation, parameters, gradient, decoderRows, _owned);
            Head = Own(device, encoderRows * 2 * _latent);
            Eps = Own(device, decoderRows * _latent);
            Z = Own(device, decoderRows * _latent);
            Out = Own(device, decoderRows * _input);
            if (gradient is not null)
            {
                HeadGrad = Own(device, encoderRows * 2 * _latent);
                ZGrad = Own(device, decoderRows * _latent);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>[rows, 2Z]: per row the latent mean then the latent log variance.</summary>
    public DeviceArray Head { get; }

    /// <summary>[rows, Z]: the standard normal draws of the reparameterisation.</summary>
    public DeviceArray Eps { get; }

    /// <summary>[rows, Z]: the latent rows the decoder reads.</summary>
    public DeviceArray Z { get; }

    /// <summary>[rows, D]: the decoder's output (logits or means); before <see cref="Backward"/>, the loss's gradient in it.</summary>
    public DeviceArray Out { get; }

    private DeviceArray? HeadGrad { get; }
    private DeviceArray? ZGrad { get; }

    private DeviceArray Own(IDeviceArrays device, int length)
    {
        var a = device.Allocate(length);
        _owned.Add(a);
        return a;
    }

    /// <summary>The heads of <paramref name="rows"/> rows of <paramref name="x"/> into <see cref="Head"/>.</summary>
    public void Encode(DeviceSlice x, int rows) => _encoder.Forward(x, rows, Head.Slice(0, rows * 2 * _latent));

    /// <summary>The decoder's output for the first <paramref name="rows"/> rows of <see cref="Z"/> into <see cref="Out"/>.</summary>
    public void Decode(int rows) => _decoder.Forward(Z.Slice(0, rows * _latent), rows, Out.Slice(0, rows * _input));

    /// <summary>Encoder, reparameterisation with the draws in <see cref="Eps"/>, decoder.</summary>
    public void Forward(DeviceSlice x, int rows)
    {
        Encode(x, rows);
        _ops.Reparameterize(Head.Slice(0, rows * 2 * _latent), Eps.Slice(0, rows * _latent), Z.Slice(0, rows * _latent), rows, _latent);
        Decode(rows);
    }

    /// <summary>
    /// After <see cref="Forward"/> on <paramref name="x"/> and with dL/d(output) in <see cref="Out"/>: the gradient of
    /// every dense layer into the gradient vector, with the KL term weighted <paramref name="klWeight"/> per row (the batch
    /// scale included) under the prior N(0, <paramref name="priorScale"/>^2 I).
    /// </summary>
    public void Backward(DeviceSlice x, int rows, float klWeight, float priorScale)
    {
        var (zGrad, headGrad) = DecoderBackward(rows);
        _ops.HeadBackward(Head.Slice(0, rows * 2 * _latent), Eps.Slice(0, rows * _latent), zGrad, headGrad, rows, _latent, klWeight, priorScale);
        _encoder.Backward(x, headGrad, rows, null);
    }

    /// <summary>
    /// As <see cref="Backward"/> for an importance-weighted objective: row r's term -log p(x|z) + log q(z|x) - log p(z)
    /// (a Monte-Carlo log ratio in place of the closed-form KL) weighted <paramref name="weights"/>[r]; the decoder's part
    /// of the weight is already in <see cref="Out"/>.
    /// </summary>
    public void BackwardImportanceWeighted(DeviceSlice x, int rows, DeviceSlice weights, float priorScale)
    {
        var (zGrad, headGrad) = DecoderBackward(rows);
        _ops.ImportanceHeadBackward(Head.Slice(0, rows * 2 * _latent), Eps.Slice(0, rows * _latent), Z.Slice(0, rows * _latent), zGrad,
            weights, headGrad, rows, _latent, priorScale);
        _encoder.Backward(x, headGrad, rows, null);
    }

    private (DeviceSlice ZGrad, DeviceSlice HeadGrad) DecoderBackward(int rows)
    {
        if (HeadGrad is null || ZGrad is null) throw new InvalidOperationException("The network was built without a gradient vector.");
        var zGrad = ZGrad.Slice(0, rows * _latent);
        _decoder.Backward(Z.Slice(0, rows * _latent), Out.Slice(0, rows * _input), rows, zGrad);
        return (zGrad, HeadGrad.Slice(0, rows * 2 * _latent));
    }

    public void Dispose()
    {
        foreach (var a in _owned) a.Dispose();
        _owned.Clear();
    }
}

using FreeEnergy.Compute.Device;

namespace FreeEnergy.Models;

/// <summary>
/// A <see cref="HierarchicalVae"/> written once over a device seam: the lower encoder <see cref="Mlp"/> x -&gt; q(z1|x),
/// z1 = mu1 + sigma1 eps1, the decoder z1 -&gt; p(x|z1), the upper encoder z1 -&gt; q(z2|z1), z2 = mu2 + sigma2 eps2, the
/// prior network z2 -&gt; p(z1|z2), and the backward pass through all four, with buffers for up to <c>capacity</c>
/// (row, sample) pairs. The CPU engine runs it on <see cref="HostDeviceArrays"/> (see <see cref="HierarchicalVaeWorkspace"/>),
/// the device trainer on the GPU's seam.
/// </summary>
internal sealed class HierarchicalVaeNetwork : IDisposable
{
    private readonly IVaeDeviceOps _ops;
    private readonly IHierarchicalVaeDeviceOps _levels;
    private readonly List<DeviceArray> _owned = [];
    private readonly Mlp _encoder1, _decoder, _encoder2, _prior;
    private readonly int _input, _z1, _z2;
    private readonly DeviceArray? _head1Grad, _z1Grad, _z1GradUpper, _head2Grad, _z2Grad, _priorHeadGrad;

    /// <param name="device">The seam; it allocates the buffers (disposed with this).</param>
    /// <param name="layout">The architecture.</param>
    /// <param name="parameters">The flat parameter vector on the seam.</param>
    /// <param name="gradient">The flat gradient vector (training), or null for forward passes only.</param>
    /// <param name="capacity">Most pairs per pass.</param>
    public HierarchicalVaeNetwork(IDeviceArrays device, HierarchicalVaeLayout layout, DeviceSlice parameters, DeviceSlice? gradient, int capacity)
    {
        _ops = device.Ops<IVaeDeviceOps>();
        _levels = device.Ops<IHierarchicalVaeDeviceOps>();
        _input = layout.Input;
        _z1 = layout.Latent1;
        _z2 = layout.Latent2;
        DeviceArray Own(int perPair)
        {
            var a = device.Allocate(capacity * perPair);
            _owned.Add(a);
            return a;
        }
        try
        {
            _encoder1 = new Mlp(device, layout.Encoder1, layout.Head1, layout.Activation, parameters, gradient, capacity, _owned);
            _decoder = new Mlp(device, layout.Decoder, layout.Output, layout.Activation, parameters, gradient, capacity, _owned);
            _encoder2 = new Mlp(device, layout.Encoder2, layout.Head2, layout.Activation, parameters, gradient, capacity, _owned);
            _prior = new Mlp(device, layout.Prior, layout.PriorHead, layout.Activation, parameters, gradient, capacity, _owned);
            Head1 = Own(2 * _z1); Eps1 = Own(_z1); Z1 = Own(_z1); Out = Own(_input);
            Head2 = Own(2 * _z2); Eps2 = Own(_z2); Z2 = Own(_z2); PriorHead = Own(2 * _z1);
            if (gradient is not null)
            {
                _head1Grad = Own(2 * _z1); _z1Grad = Own(_z1); _z1GradUpper = Own(_z1); _head2Grad = Own(2 * _z2); _z2Grad = Own(_z2);
                _priorHeadGrad = Own(2 * _z1);
                PairScale = Own(1); TopWeight = Own(1);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>[pairs, 2 Z1]: mu1 then log variance of q(z1|x).</summary>
    public DeviceArray Head1 { get; }
    /// <summary>[pairs, Z1]: the standard normal draws of z1.</summary>
    public DeviceArray Eps1 { get; }
    /// <summary>[pairs, Z1].</summary>
    public DeviceArray Z1 { get; }
    /// <summary>[pairs, D]: the decoder's output (logits or means); before <see cref="Backward"/>, the likelihood's gradient in it, each pair's scaled.</summary>
    public DeviceArray Out { get; }
    /// <summary>[pairs, 2 Z2]: mu2 then log variance of q(z2|z1).</summary>
    public DeviceArray Head2 { get; }
    /// <summary>[pairs, Z2]: the standard normal draws of z2.</summary>
    public DeviceArray Eps2 { get; }
    /// <summary>[pairs, Z2].</summary>
    public DeviceArray Z2 { get; }
    /// <summary>[pairs, 2 Z1]: mean then log variance of p(z1|z2).</summary>
    public DeviceArray PriorHead { get; }

    /// <summary>[pairs] (training): each pair's share of the objective (1/B, or its normalised importance weight / B), read by <see cref="Backward"/>.</summary>
    public DeviceArray? PairScale { get; }

    /// <summary>[pairs] (training): the top level's log-ratio weight of each pair for the importance-weighted bound, read by <see cref="Backward"/>.</summary>
    public DeviceArray? TopWeight { get; }

    /// <summary>q(z1|x) of <paramref name="pairs"/> rows of <paramref name="x"/> into <see cref="Head1"/>.</summary>
    public void Encode(DeviceSlice x, int pairs) => _encoder1.Forward(x, pairs, Head1.Slice(0, pairs * 2 * _z1));

    /// <summary>The decoder's output for the first <paramref name="pairs"/> rows of <see cref="Z1"/> into <see cref="Out"/>.</summary>
    public void Decode(int pairs) => _decoder.Forward(Z1.Slice(0, pairs * _z1), pairs, Out.Slice(0, pairs * _input));

    /// <summary>The whole forward pass of <paramref name="pairs"/> rows of <paramref name="x"/> with the draws in <see cref="Eps1"/> and <see cref="Eps2"/>.</summary>
    public void Forward(DeviceSlice x, int pairs)
    {
        Encode(x, pairs);
        ForwardFromPosterior(pairs);
    }

    /// <summary>The forward pass after q(z1|x), from the heads in <see cref="Head1"/>.</summary>
    public void ForwardFromPosterior(int pairs)
    {
        _ops.Reparameterize(Head1.Slice(0, pairs * 2 * _z1), Eps1.Slice(0, pairs * _z1), Z1.Slice(0, pairs * _z1), pairs, _z1);
        Decode(pairs);
        _encoder2.Forward(Z1.Slice(0, pairs * _z1), pairs, Head2.Slice(0, pairs * 2 * _z2));
        _ops.Reparameterize(Head2.Slice(0, pairs * 2 * _z2), Eps2.Slice(0, pairs * _z2), Z2.Slice(0, pairs * _z2), pairs, _z2);
        _prior.Forward(Z2.Slice(0, pairs * _z2), pairs, PriorHead.Slice(0, pairs * 2 * _z1));
    }

    /// <summary>
    /// After <see cref="Forward"/> on <paramref name="x"/>, with the likelihood's gradient (scaled per pair) in <see cref="Out"/>
    /// and the pair scales in <see cref="PairScale"/>: the gradient of every dense layer into the gradient vector. The middle
    /// level's log ratio is weighted <paramref name="klWeight1"/> times the pair's scale; the top level is the closed-form
    /// KL weighted <paramref name="topKlWeight"/> per pair (the ELBO) or, when that is null, the log ratio weighted
    /// <see cref="TopWeight"/> (the importance-weighted bound).
    /// </summary>
    public void Backward(DeviceSlice x, int pairs, float klWeight1, float? topKlWeight)
    {
        if (_z1Grad is null || PairScale is null || TopWeight is null) throw new InvalidOperationException("The network was built without a gradient vector.");
        int z1 = _z1, z2 = _z2;
        var pairScale = PairScale.Slice(0, pairs);
        var z1Grad = _z1Grad.Slice(0, pairs * z1);
        var z1s = Z1.Slice(0, pairs * z1);
        // p(x|z1): dL/dz1 from the decoder.
        _decoder.Backward(z1s, Out.Slice(0, pairs * _input), pairs, z1Grad);
        // p(z1|z2): its head's gradient, and the direct dL/dz1 added to the decoder's.
        var priorHeadGrad = _priorHeadGrad!.Slice(0, pairs * 2 * z1);
        _levels.PriorBackward(z1s, PriorHead.Slice(0, pairs * 2 * z1), pairScale, klWeight1, priorHeadGrad, z1Grad, pairs, z1);
        var z2Grad = _z2Grad!.Slice(0, pairs * z2);
        _prior.Backward(Z2.Slice(0, pairs * z2), priorHeadGrad, pairs, z2Grad);
        // q(z2|z1) with the top level's KL (closed form) or log ratio (Monte Carlo), then dL/dz1 through the upper encoder.
        var head2 = Head2.Slice(0, pairs * 2 * z2);
        var head2Grad = _head2Grad!.Slice(0, pairs * 2 * z2);
        if (topKlWeight is { } w) _ops.HeadBackward(head2, Eps2.Slice(0, pairs * z2), z2Grad, head2Grad, pairs, z2, w, 1f);
        else _ops.ImportanceHeadBackward(head2, Eps2.Slice(0, pairs * z2), Z2.Slice(0, pairs * z2), z2Grad, TopWeight.Slice(0, pairs), head2Grad, pairs, z2, 1f);
        var upper = _z1GradUpper!.Slice(0, pairs * z1);
        _encoder2.Backward(z1s, head2Grad, pairs, upper);
        // q(z1|x): dmu1 = dz1, dlv1 = dz1 eps1 sigma1 / 2 - c1 / 2 (the log q term), then the lower encoder.
        var head1Grad = _head1Grad!.Slice(0, pairs * 2 * z1);
        _levels.PosteriorHeadBackward(Head1.Slice(0, pairs * 2 * z1), Eps1.Slice(0, pairs * z1), z1Grad, upper, pairScale, klWeight1, head1Grad, pairs, z1);
        _encoder1.Backward(x, head1Grad, pairs, null);
    }

    public void Dispose()
    {
        foreach (var a in _owned) a.Dispose();
        _owned.Clear();
    }
}

using FreeEnergy.Compute.Device;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// <see cref="HierarchicalVae"/> training (Bernoulli decoder) device-resident (<see cref="DeviceVaeStep"/>): the network is
/// the CPU trainer's own definition (<see cref="HierarchicalVaeNetwork"/>); pair p's draws come from Philox index
/// p (Z1 + Z2) (eps1, then eps2), as on the CPU; the per-pair terms -log p(x|z1), log q(z1|x) - log p(z1|z2) and the top
/// level's closed-form KL (k = 1, the ELBO) or log ratio (k &gt; 1, the importance-weighted bound), the bound per row and
/// each pair's weight run as device kernels in single precision, so on <see cref="HostDeviceArrays"/> it reproduces the
/// CPU trainer up to rounding of the loss.
/// </summary>
internal sealed class DeviceHierarchicalVaeSession : DeviceVaeStep
{
    private readonly HierarchicalVaeLayout _layout;
    private readonly IHierarchicalVaeDeviceOps _levels;
    private readonly float _invBeta1, _invBeta2;
    private readonly HierarchicalVaeNetwork? _net;
    private readonly DeviceArray? _noise, _reconstruction, _ratio1, _top;

    public DeviceHierarchicalVaeSession(IDeviceArrays device, HierarchicalVae model, MatrixView training, MatrixView? validation, VaeTrainingOptions options)
        : base(device, model, model.Layout, model.Parameters, training, validation, options)
    {
        _layout = model.Layout;
        _levels = device.Ops<IHierarchicalVaeDeviceOps>();
        _invBeta1 = 1f / model.Beta;
        _invBeta2 = 1f / model.UpperBeta;
        int pairs = BatchSize * Samples;
        try
        {
            _net = Own(new HierarchicalVaeNetwork(device, _layout, Theta, Gradient, pairs));
            _noise = Own(pairs * (_layout.Latent1 + _layout.Latent2));
            _reconstruction = Own(pairs); _ratio1 = Own(pairs); _top = Own(pairs);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    protected override void ForwardBackward(DeviceSlice x, ulong noiseStream, int start, int rows)
    {
        var net = _net!;
        int d = _layout.Input, z1 = _layout.Latent1, z2 = _layout.Latent2, pairs = rows * Samples;
        float klWeight1 = KlWarmup * _invBeta1, klWeight2 = KlWarmup * _invBeta2;
        var noise = _noise!.Slice(0, pairs * (z1 + z2));
        Device.Gaussian(noise, Options.Seed, noiseStream, 0);
        _levels.SplitColumns(noise, pairs, z1, z2, net.Eps1.Slice(0, pairs * z1), net.Eps2.Slice(0, pairs * z2));
        net.Forward(x, pairs);
        var output = net.Out.Slice(0, pairs * d);
        var reconstruction = _reconstruction!.Slice(0, pairs);
        var ratio1 = _ratio1!.Slice(0, pairs);
        var top = _top!.Slice(0, pairs);
        Ops.BernoulliLogitLossRows(x, output, reconstruction, pairs, d, 1f);
        _levels.PriorLogRatioRows(net.Z1.Slice(0, pairs * z1), net.Head1.Slice(0, pairs * 2 * z1), net.Eps1.Slice(0, pairs * z1),
            net.PriorHead.Slice(0, pairs * 2 * z1), ratio1, pairs, z1);
        var head2 = net.Head2.Slice(0, pairs * 2 * z2);
        if (Samples == 1) Ops.KlRows(head2, top, pairs, z2, 1f);
        else Ops.LogRatioPairs(net.Z2.Slice(0, pairs * z2), head2, net.Eps2.Slice(0, pairs * z2), top, pairs, 1, z2, 1f);
        var pairScale = net.PairScale!.Slice(0, pairs);
        Ops.ImportanceWeights(reconstruction, ratio1, klWeight1, top, klWeight2, rows, Samples, 1f / rows, klWeight2, pairScale,
            net.TopWeight!.Slice(0, pairs), Losses.Slice(start, rows));
        Ops.ScaleRows(output, pairScale, pairs, d);
        net.Backward(x, pairs, klWeight1, Samples == 1 ? klWeight2 / rows : null);
    }
}

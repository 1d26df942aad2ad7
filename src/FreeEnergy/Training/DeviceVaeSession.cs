using FreeEnergy.Compute.Device;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// <see cref="Vae"/> training (Bernoulli decoder) device-resident (<see cref="DeviceVaeStep"/>): the network is the CPU
/// trainer's own definition (<see cref="VaeNetwork"/>); only the loss terms run as device kernels (in single precision),
/// so on <see cref="HostDeviceArrays"/> it reproduces the CPU trainer up to rounding of the loss. With k = 1 the ELBO with
/// its closed-form KL term; with k &gt; 1 the k-sample importance-weighted bound (draws (row k + s) Z + j, the per-pair log
/// ratio, the normalised weights on the device).
/// </summary>
internal sealed class DeviceVaeSession : DeviceVaeStep
{
    private readonly Vae _model;
    private readonly float _invBeta;
    private readonly VaeNetwork? _net;
    private readonly DeviceArray? _kl, _pairLoss, _pairRatio, _pairScale, _pairWeight;
    private readonly float[] _klHost = [];

    public DeviceVaeSession(IDeviceArrays device, Vae model, MatrixView training, MatrixView? validation, VaeTrainingOptions options)
        : base(device, model, model.Layout, model.Parameters, training, validation, options)
    {
        _model = model;
        _invBeta = 1f / model.Beta;
        int pairs = BatchSize * Samples;
        try
        {
            _net = Own(new VaeNetwork(device, model.Layout, Theta, Gradient, pairs, pairs));
            if (Samples == 1)
            {
                _kl = Own(Rows);
                _klHost = new float[Rows];
            }
            else
            {
                _pairLoss = Own(pairs); _pairRatio = Own(pairs); _pairScale = Own(pairs); _pairWeight = Own(pairs);
            }
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
        int d = _model.Layout.Input, z = _model.Layout.Latent, pairs = rows * Samples;
        float priorScale = _model.PriorScale, klWeight = KlWarmup * _invBeta;
        Device.Gaussian(net.Eps.Slice(0, pairs * z), Options.Seed, noiseStream, 0);
        net.Forward(x, pairs);
        var output = net.Out.Slice(0, pairs * d);
        if (Samples == 1)
        {
            // Loss rows (kept for the epoch) and the output gradient in place of the logits.
            Ops.BernoulliLogitLossRows(x, output, Losses.Slice(start, rows), rows, d, 1f / rows);
            Ops.KlRows(net.Head.Slice(0, rows * 2 * z), _kl!.Slice(start, rows), rows, z, priorScale);
            net.Backward(x, rows, klWeight / rows, priorScale);
            return;
        }
        // Per pair -log p(x|z) and log q(z|x) - log p(z); the bound per row, each pair's output gradient scaled by its weight.
        var loss = _pairLoss!.Slice(0, pairs);
        var ratio = _pairRatio!.Slice(0, pairs);
        Ops.BernoulliLogitLossRows(x, output, loss, pairs, d, 1f);
        Ops.LogRatioPairs(net.Z.Slice(0, pairs * z), net.Head.Slice(0, pairs * 2 * z), net.Eps.Slice(0, pairs * z), ratio, pairs, 1, z, priorScale);
        Ops.ImportanceWeights(loss, ratio, klWeight, ratio, 0f, rows, Samples, 1f / rows, klWeight, _pairScale!, _pairWeight!, Losses.Slice(start, rows));
        Ops.ScaleRows(output, _pairScale!, pairs, d);
        net.BackwardImportanceWeighted(x, pairs, _pairWeight!.Slice(0, pairs), priorScale);
    }

    /// <summary>The ELBO's rows: -log p(x|z) + KL / beta (as the CPU trainer reports it); the bound's rows as they are.</summary>
    protected override double SumLosses(float[] losses)
    {
        if (Samples > 1) return base.SumLosses(losses);
        Device.Download(_kl!, _klHost);
        double sum = 0;
        for (int r = 0; r < Rows; r++) sum += losses[r] + _invBeta * (double)_klHost[r];
        return sum;
    }
}

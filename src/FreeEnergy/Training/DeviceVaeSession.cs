using FreeEnergy.Compute;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// VAE training (Bernoulli decoder) with everything resident on a device (<see cref="IDeviceArrays"/>): the training
/// rows are uploaded once (with <see cref="VaeTrainingOptions.DynamicBinarization"/> drawn there each epoch, the CPU
/// trainer's bits), the flat parameter vector, its gradient, the Adam moments and every layer buffer live on
/// the device; each batch is gathered there from the epoch's shuffled order, the noise is drawn there (the CPU
/// trainer's Philox streams and indexes), forward and backward passes are GEMMs plus fused kernels, and the per-row
/// losses of the whole epoch come back once per epoch. The parameters come back at the end, on divergence (the start
/// of the failing epoch) and, when there are validation rows, after each epoch (the validation F_q runs on the model).
/// The network is the CPU trainer's own definition (<see cref="VaeNetwork"/>); only the loss terms run as device
/// kernels (in single precision), so on <see cref="HostDeviceArrays"/> it reproduces the CPU trainer up to rounding of
/// the loss. Divergence is checked once per epoch.
/// </summary>
internal sealed class DeviceVaeSession : ITrainingStep, IDisposable
{
    private readonly IDeviceArrays _dev;
    private readonly IVaeDeviceOps _ops;
    private readonly List<DeviceArray> _owned = [];
    private readonly Vae _model;
    private readonly VaeLayout _layout;
    private readonly MatrixView? _validation;
    private readonly VaeTrainingOptions _options;
    private readonly int _n;
    private readonly float _invBeta;
    private readonly VaeNetwork? _net;
    private readonly DeviceArray _data, _rows, _order, _theta, _grad, _m1, _m2, _lastGood, _best, _x, _reconstruction, _kl;
    private readonly float[] _reconHost, _klHost;
    private float _klWeight;
    private double _lossSum;
    private long _steps;

    public DeviceVaeSession(IDeviceArrays device, Vae model, MatrixView training, MatrixView? validation, VaeTrainingOptions options)
    {
        _dev = device;
        _ops = device.Ops<IVaeDeviceOps>();
        _model = model;
        _layout = model.Layout;
        if (_layout.Likelihood != VaeLikelihood.Bernoulli) throw new ArgumentException("The device-resident VAE trainer takes the Bernoulli decoder.", nameof(model));
        _validation = validation;
        _options = options;
        var layout = _layout;
        _n = training.Rows;
        int d = layout.Input;
        BatchSize = Math.Min(options.BatchSize, _n);
        _invBeta = 1f / model.Beta;
        try
        {
            _data = Own(_n * d);
            device.Upload(training.Span, _data);
            _rows = options.DynamicBinarization ? Own(_n * d) : _data;   // the epoch's draw of the rows, or the rows as given
            _order = Own(_n);
            _theta = Own(layout.Count);
            device.Upload(model.Parameters, _theta);
            _grad = Own(layout.Count);
            _m1 = Own(layout.TrainableCount);
            _m2 = Own(layout.TrainableCount);
            _lastGood = Own(layout.Count);
            _best = Own(layout.Count);
            _x = Own(BatchSize * d);
            _reconstruction = Own(_n);
            _kl = Own(_n);
            _net = new VaeNetwork(device, layout, _theta, _grad, BatchSize, BatchSize);
        }
        catch
        {
            Dispose();
            throw;
        }
        _reconHost = new float[_n];
        _klHost = new float[_n];
    }

    private DeviceArray Own(int length)
    {
        var a = _dev.Allocate(length);
        _owned.Add(a);
        return a;
    }

    public void Dispose()
    {
        _net?.Dispose();
        foreach (var a in _owned) a.Dispose();
        _owned.Clear();
    }

    public int BatchSize { get; }

    public void BeginEpoch(int epoch, int[] order)
    {
        _dev.UploadIndexes(order, _order);
        if (_options.DynamicBinarization) Binarization.Epoch(_dev, _data, _rows, _options.Seed, epoch);
        _klWeight = VaeTrainer.KlWeight(_options, epoch, _invBeta);
    }

    public string? Batch(int epoch, int batchIndex, int start, int rows, float learningRate)
    {
        var net = _net!;
        int d = _layout.Input, z = _layout.Latent;
        var xb = _x.Slice(0, rows * d);
        _dev.GatherRows(_rows, d, _order.Slice(start, rows), rows, xb);
        _dev.Gaussian(net.Eps.Slice(0, rows * z), _options.Seed, Philox.Stream(Vae.PurposeNoise, (ulong)epoch, (ulong)batchIndex), 0);
        net.Forward(xb, rows);
        // Loss rows (kept for the epoch) and the output gradient in place of the logits.
        _ops.BernoulliLogitLossRows(xb, net.Out.Slice(0, rows * d), _reconstruction.Slice(start, rows), rows, d, 1f / rows);
        _ops.KlRows(net.Head.Slice(0, rows * 2 * z), _kl.Slice(start, rows), rows, z, _model.PriorScale);
        net.Backward(xb, rows, _klWeight / rows, _model.PriorScale);
        int trainable = _layout.TrainableCount;
        var o = _options;
        _dev.Adam(_theta.Slice(0, trainable), _grad.Slice(0, trainable), _m1, _m2, learningRate, o.AdamBeta1, o.AdamBeta2, o.AdamEpsilon, ++_steps, o.WeightDecay);
        return null;
    }

    /// <summary>The epoch's losses and one divergence scalar come back.</summary>
    public string? EndEpoch(int epoch)
    {
        _dev.Download(_reconstruction, _reconHost);
        _dev.Download(_kl, _klHost);
        double lossSum = 0;
        for (int r = 0; r < _n; r++) lossSum += _reconHost[r] + _invBeta * (double)_klHost[r];
        _lossSum = lossSum;
        if (!double.IsFinite(lossSum)) return "loss";
        return _dev.MaxMagnitude(_theta) < float.PositiveInfinity ? null : "parameters";
    }

    /// <summary>With validation rows the parameters come back for the validation free energy (which runs on the model).</summary>
    public EpochMeasures Measure(int epoch)
    {
        if (_validation is { Rows: > 0 }) Finish();
        return VaeTrainer.Measures(_model, _lossSum / _n, _validation);
    }

    public void Save(ParameterCopy copy) => _dev.Copy(_theta, copy == ParameterCopy.Best ? _best : _lastGood);

    public void Restore(ParameterCopy copy) => _dev.Copy(copy == ParameterCopy.Best ? _best : _lastGood, _theta);

    /// <summary>Downloads the parameters into the model.</summary>
    public void Finish() => _dev.Download(_theta, _model.Parameters);

    public TrainingDivergedException Diverged(int epoch, float learningRate, string what) => VaeTrainer.Diverged(epoch, _options, what);
}

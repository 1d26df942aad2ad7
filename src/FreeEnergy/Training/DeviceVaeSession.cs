using FreeEnergy.Compute;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// VAE training (Bernoulli decoder) with everything resident on a device (<see cref="IDeviceArrays"/>): the training
/// rows are uploaded once, the flat parameter vector, its gradient, the Adam moments and every layer buffer live on
/// the device; each batch is gathered there from the epoch's shuffled order, the noise is drawn there (the CPU
/// trainer's Philox streams and indexes), forward and backward passes are GEMMs plus fused kernels, and the per-row
/// losses of the whole epoch come back once per epoch. The parameters come back at the end, on divergence (the start
/// of the failing epoch) and, when there are validation rows, after each epoch (the validation F_q runs on the model).
/// It follows <see cref="VaeTrainer"/>/<see cref="VaeWorkspace.ForwardBackward"/> step for step, so on
/// <see cref="HostDeviceArrays"/> it reproduces the CPU trainer. Divergence is checked once per epoch.
/// </summary>
internal sealed class DeviceVaeSession : ITrainingStep, IDisposable
{
    private readonly IDeviceArrays _dev;
    private readonly List<DeviceArray> _owned = [];
    private readonly Vae _model;
    private readonly VaeLayout _layout;
    private readonly MatrixView? _validation;
    private readonly VaeTrainingOptions _options;
    private readonly int _n;
    private readonly float _invBeta;
    private readonly DeviceVaeNetwork _net;
    private readonly DeviceArray _data, _order, _theta, _grad, _m1, _m2, _lastGood, _best, _x, _head, _headGrad, _eps, _zs, _zGrad, _output,
        _reconstruction, _kl;
    private readonly DeviceArray[] _encoder, _encoderGrad, _decoder, _decoderGrad;
    private readonly float[] _reconHost, _klHost;
    private float _klWeight;
    private double _lossSum;
    private long _steps;

    public DeviceVaeSession(IDeviceArrays device, Vae model, MatrixView training, MatrixView? validation, VaeTrainingOptions options)
    {
        _dev = device;
        _model = model;
        _layout = model.Layout;
        if (_layout.Likelihood != VaeLikelihood.Bernoulli) throw new ArgumentException("The device-resident VAE trainer takes the Bernoulli decoder.", nameof(model));
        _validation = validation;
        _options = options;
        var layout = _layout;
        _n = training.Rows;
        int d = layout.Input, z = layout.Latent;
        BatchSize = Math.Min(options.BatchSize, _n);
        int batch = BatchSize;
        _invBeta = 1f / model.Beta;
        try
        {
            _data = Own(_n * d);
            device.Upload(training.Span, _data);
            _order = Own(_n);
            _theta = Own(layout.Count);
            device.Upload(model.Parameters, _theta);
            _grad = Own(layout.Count);
            _m1 = Own(layout.TrainableCount);
            _m2 = Own(layout.TrainableCount);
            _lastGood = Own(layout.Count);
            _best = Own(layout.Count);
            _x = Own(batch * d);
            _encoder = Own(layout.EncoderSizes, batch);
            _encoderGrad = Own(layout.EncoderSizes, batch);
            _decoder = Own(layout.DecoderSizes, batch);
            _decoderGrad = Own(layout.DecoderSizes, batch);
            _head = Own(batch * 2 * z);
            _headGrad = Own(batch * 2 * z);
            _eps = Own(batch * z);
            _zs = Own(batch * z);
            _zGrad = Own(batch * z);
            _output = Own(batch * d);
            _reconstruction = Own(_n);
            _kl = Own(_n);
        }
        catch
        {
            Dispose();
            throw;
        }
        _reconHost = new float[_n];
        _klHost = new float[_n];
        _net = new DeviceVaeNetwork(device, layout, _theta);
    }

    private DeviceArray Own(int length)
    {
        var a = _dev.Allocate(length);
        _owned.Add(a);
        return a;
    }

    private DeviceArray[] Own(int[] widths, int rows) => widths.Select(w => Own(rows * w)).ToArray();

    public void Dispose()
    {
        foreach (var a in _owned) a.Dispose();
        _owned.Clear();
    }

    public int BatchSize { get; }

    public void BeginEpoch(int epoch, int[] order)
    {
        _dev.UploadIndexes(order, _order);
        _klWeight = VaeTrainingSession.KlWeight(_options, epoch, _invBeta);
    }

    public string? Batch(int epoch, int batchIndex, int start, int rows, float learningRate)
    {
        var dev = _dev;
        var layout = _layout;
        var net = _net;
        int d = layout.Input, z = layout.Latent;
        var xb = _x.Slice(0, rows * d);
        dev.GatherRows(_data, d, _order.Slice(start, rows), rows, xb);
        var e = _eps.Slice(0, rows * z);
        dev.Gaussian(e, _options.Seed, Philox.Stream(Vae.PurposeNoise, (ulong)epoch, (ulong)batchIndex), 0);
        // Encoder, heads, reparameterisation, decoder.
        var hb = _head.Slice(0, rows * 2 * z);
        net.Encode(xb, rows, _encoder, hb);
        var zb = _zs.Slice(0, rows * z);
        dev.Reparameterize(hb, e, zb, rows, z);
        var ob = _output.Slice(0, rows * d);
        net.Decode(zb, rows, _decoder, ob);
        // Loss rows (kept for the epoch) and the output gradient in place of the logits.
        dev.BernoulliLogitLossRows(xb, ob, _reconstruction.Slice(start, rows), rows, d, 1f / rows);
        dev.KlRows(hb, _kl.Slice(start, rows), rows, z, _model.PriorScale);
        // Decoder backward.
        int nd = layout.Decoder.Length;
        var below = nd > 0 ? _decoder[nd - 1].Slice(0, rows * layout.Decoder[nd - 1].Out) : zb;
        var belowGrad = nd > 0 ? _decoderGrad[nd - 1].Slice(0, rows * layout.Decoder[nd - 1].Out) : _zGrad.Slice(0, rows * z);
        DenseBackward(layout.Output, below, ob, rows, belowGrad);
        StackBackward(layout.Decoder, _decoder, _decoderGrad, zb, _zGrad.Slice(0, rows * z), rows);
        // Latent heads, then the encoder.
        var hg = _headGrad.Slice(0, rows * 2 * z);
        dev.HeadBackward(hb, e, _zGrad.Slice(0, rows * z), hg, rows, z, _klWeight / rows, _model.PriorScale);
        int ne = layout.Encoder.Length;
        below = ne > 0 ? _encoder[ne - 1].Slice(0, rows * layout.Encoder[ne - 1].Out) : xb;
        DenseBackward(layout.Head, below, hg, rows, ne > 0 ? _encoderGrad[ne - 1].Slice(0, rows * layout.Encoder[ne - 1].Out) : null);
        StackBackward(layout.Encoder, _encoder, _encoderGrad, xb, null, rows);
        int trainable = layout.TrainableCount;
        var o = _options;
        dev.Adam(_theta.Slice(0, trainable), _grad.Slice(0, trainable), _m1, _m2, o.LearningRate, o.AdamBeta1, o.AdamBeta2, o.AdamEpsilon, ++_steps, o.WeightDecay);
        return null;
    }

    private void DenseBackward(DenseLayer layer, DeviceSlice input, DeviceSlice dy, int rows, DeviceSlice? inputGrad)
    {
        _dev.Gemm(Transpose.Transposed, Transpose.None, layer.In, layer.Out, rows, 1f, input, layer.In, dy, layer.Out, 0f, _grad.Slice(layer.WeightOffset, layer.WeightCount), layer.Out);
        _dev.ColumnSums(dy, rows, layer.Out, _grad.Slice(layer.BiasOffset, layer.Out));
        if (inputGrad is { } ig)
            _dev.Gemm(Transpose.None, Transpose.Transposed, rows, layer.In, layer.Out, 1f, dy, layer.Out, _net.Weight(layer), layer.Out, 0f, ig, layer.In);
    }

    /// <summary>
    /// Backward through activated hidden layers (outputs in post, their gradients in grads, top layer first), down to
    /// the stack's input (bottom) and, when wanted, its gradient.
    /// </summary>
    private void StackBackward(DenseLayer[] layers, DeviceArray[] post, DeviceArray[] grads, DeviceSlice bottom, DeviceSlice? bottomGrad, int rows)
    {
        for (int i = layers.Length - 1; i >= 0; i--)
        {
            var l = layers[i];
            var g = grads[i].Slice(0, rows * l.Out);
            _dev.ActivationBackward(g, post[i].Slice(0, rows * l.Out), _layout.Activation);
            var lower = i > 0 ? post[i - 1].Slice(0, rows * l.In) : bottom;
            DenseBackward(l, lower, g, rows, i > 0 ? grads[i - 1].Slice(0, rows * l.In) : bottomGrad);
        }
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
        return VaeTrainingSession.Measures(_model, _lossSum / _n, _validation);
    }

    public void Save(ParameterCopy copy) => _dev.Copy(_theta, copy == ParameterCopy.Best ? _best : _lastGood);

    public void Restore(ParameterCopy copy) => _dev.Copy(copy == ParameterCopy.Best ? _best : _lastGood, _theta);

    /// <summary>Downloads the parameters into the model.</summary>
    public void Finish() => _dev.Download(_theta, _model.Parameters);

    public TrainingDivergedException Diverged(int epoch, float learningRate, string what) => VaeTrainer.Diverged(epoch, _options, what);
}

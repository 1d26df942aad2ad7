using FreeEnergy.Compute;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// The device-resident training step every VAE shares (<see cref="IDeviceArrays"/>): the training rows are uploaded once
/// (with <see cref="VaeTrainingOptions.DynamicBinarization"/> drawn there each epoch with the CPU trainer's keys);
/// the flat parameter vector, its gradient, the Adam moments, the two saved copies and the per-row losses of the epoch
/// live on the device. Each batch is gathered there from the epoch's shuffled order (each row held k =
/// <see cref="VaeTrainingOptions.ImportanceSamples"/> times, as the CPU step does), the model's passes run
/// (<see cref="ForwardBackward"/>, drawing the noise from the CPU trainer's Philox streams and indexes), and one Adam step
/// follows. The losses come back once per epoch with one divergence scalar; the parameters come back at the end, on
/// divergence and, with validation rows, after each epoch (the validation F_q runs on the model).
/// </summary>
internal abstract class DeviceVaeStep : ITrainingStep, IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly IVariationalModel _model;
    private readonly float[] _parameters;
    private readonly int _trainable, _input;
    private readonly MatrixView? _validation;
    private readonly DeviceArray _data, _rows, _order, _m1, _m2, _lastGood, _best, _x;
    private readonly int[] _heldOrder;
    private readonly float[] _lossHost;
    private double _lossSum;
    private long _steps;

    /// <summary>A step on <paramref name="model"/>'s parameter vector <paramref name="parameters"/> (copied to the device, and back by <see cref="Finish"/>).</summary>
    protected DeviceVaeStep(IDeviceArrays device, IVariationalModel model, VaeParameterLayout layout, float[] parameters, MatrixView training,
        MatrixView? validation, VaeTrainingOptions options)
    {
        if (layout.Likelihood != VaeLikelihood.Bernoulli) throw new ArgumentException("The device-resident VAE trainer takes the Bernoulli decoder.", nameof(model));
        Device = device;
        Ops = device.Ops<IVaeDeviceOps>();
        Options = options;
        _model = model;
        _parameters = parameters;
        _trainable = layout.TrainableCount;
        _input = layout.Input;
        _validation = validation;
        Rows = training.Rows;
        BatchSize = Math.Min(options.BatchSize, Rows);
        Samples = options.ImportanceSamples;
        int d = layout.Input;
        try
        {
            _data = Own(checked(Rows * d));
            device.Upload(training.Span, _data);
            _rows = options.DynamicBinarization ? Own(checked(Rows * d)) : _data;   // the epoch's 0/1 draw of the rows, or the rows as given
            _order = Own(checked(Rows * Samples));
            Theta = Own(layout.Count);
            device.Upload(parameters, Theta);
            Gradient = Own(layout.Count);
            _m1 = Own(layout.TrainableCount);
            _m2 = Own(layout.TrainableCount);
            _lastGood = Own(layout.Count);
            _best = Own(layout.Count);
            _x = Own(checked(BatchSize * Samples * d));
            Losses = Own(Rows);
        }
        catch
        {
            Dispose();
            throw;
        }
        _heldOrder = Samples == 1 ? [] : new int[Rows * Samples];
        _lossHost = new float[Rows];
    }

    /// <summary>The seam everything lives on.</summary>
    protected IDeviceArrays Device { get; }

    /// <summary>The seam's VAE operations.</summary>
    protected IVaeDeviceOps Ops { get; }

    /// <summary>The training settings.</summary>
    protected VaeTrainingOptions Options { get; }

    /// <summary>Training rows.</summary>
    protected int Rows { get; }

    /// <summary>k, the draws per row.</summary>
    protected int Samples { get; }

    /// <summary>The flat parameter vector on the device.</summary>
    protected DeviceArray Theta { get; }

    /// <summary>Its gradient, written by <see cref="ForwardBackward"/>.</summary>
    protected DeviceArray Gradient { get; }

    /// <summary>[rows]: each training row's loss in the epoch, written by <see cref="ForwardBackward"/>.</summary>
    protected DeviceArray Losses { get; }

    public int BatchSize { get; }

    /// <summary>A device buffer of <paramref name="length"/> floats, disposed with the step.</summary>
    protected DeviceArray Own(int length)
    {
        var a = Device.Allocate(length);
        _owned.Add(a);
        return a;
    }

    /// <summary>Takes <paramref name="network"/> (its buffers) to dispose with the step.</summary>
    protected T Own<T>(T network) where T : IDisposable
    {
        _owned.Add(network);
        return network;
    }

    public void Dispose()
    {
        foreach (var a in _owned) a.Dispose();
        _owned.Clear();
    }

    /// <summary>The epoch's KL warm-up factor: ramped up linearly over the warm-up epochs, then 1 (each level's weight is this / its beta).</summary>
    protected float KlWarmup { get; private set; }

    public void BeginEpoch(int epoch, int[] order)
    {
        KlWarmup = VaeTrainer.KlWeight(Options, epoch, 1f);
        if (Options.DynamicBinarization) Binarization.Epoch(Device, _data, _rows, Options.Seed, epoch);
        if (Samples == 1)
        {
            Device.UploadIndexes(order, _order);
            return;
        }
        for (int i = 0; i < order.Length; i++)
            for (int s = 0; s < Samples; s++) _heldOrder[i * Samples + s] = order[i];
        Device.UploadIndexes(_heldOrder, _order);
    }

    public string? Batch(int epoch, int batchIndex, int start, int rows, float learningRate)
    {
        int pairs = rows * Samples;
        var x = _x.Slice(0, pairs * _input);
        Device.GatherRows(_rows, _input, _order.Slice(start * Samples, pairs), pairs, x);
        ForwardBackward(x, Philox.Stream(Vae.PurposeNoise, (ulong)epoch, (ulong)batchIndex), start, rows);
        var o = Options;
        Device.Adam(Theta.Slice(0, _trainable), Gradient.Slice(0, _trainable), _m1, _m2, learningRate, o.AdamBeta1, o.AdamBeta2, o.AdamEpsilon, ++_steps, o.WeightDecay);
        return null;
    }

    /// <summary>
    /// One training evaluation of the batch's <paramref name="rows"/> rows held k times each in <paramref name="x"/> (pairs
    /// p = r k + s), with the draws of Philox stream <paramref name="noiseStream"/> from index 0: the gradient of the mean
    /// objective into <see cref="Gradient"/>, each row's loss into <see cref="Losses"/> from row <paramref name="start"/>.
    /// </summary>
    protected abstract void ForwardBackward(DeviceSlice x, ulong noiseStream, int start, int rows);

    /// <summary>The epoch's losses (summed by <see cref="SumLosses"/>) and one divergence scalar come back.</summary>
    public string? EndEpoch(int epoch)
    {
        Device.Download(Losses, _lossHost);
        _lossSum = SumLosses(_lossHost);
        if (!double.IsFinite(_lossSum)) return "loss";
        return Device.MaxMagnitude(Theta) < float.PositiveInfinity ? null : "parameters";
    }

    /// <summary>The epoch's training loss summed over the rows from <see cref="Losses"/> (downloaded into <paramref name="losses"/>).</summary>
    protected virtual double SumLosses(float[] losses)
    {
        double sum = 0;
        foreach (var l in losses) sum += l;
        return sum;
    }

    /// <summary>With validation rows the parameters come back for the validation free energy (which runs on the model).</summary>
    public EpochMeasures Measure(int epoch)
    {
        if (_validation is { Rows: > 0 }) Finish();
        return VaeTrainer.Measures(_model, _lossSum / Rows, _validation);
    }

    public void Save(ParameterCopy copy) => Device.Copy(Theta, copy == ParameterCopy.Best ? _best : _lastGood);

    public void Restore(ParameterCopy copy) => Device.Copy(copy == ParameterCopy.Best ? _best : _lastGood, Theta);

    /// <summary>Downloads the parameters into the model.</summary>
    public void Finish() => Device.Download(Theta, _parameters);

    public TrainingDivergedException Diverged(int epoch, float learningRate, string what) => VaeTrainer.Diverged(epoch, Options, what);

    /// <summary>
    /// Runs the epoch loop of a VAE trainer on the device step <paramref name="onDevice"/> makes where the model's backend
    /// (or <see cref="VaeTrainingOptions.DeviceArrays"/>) has a device and <paramref name="wanted"/> (a Bernoulli decoder
    /// and a training set that fits), else on the CPU step <paramref name="onCpu"/> makes.
    /// </summary>
    internal static EpochLoop.Result Run(IComputeBackend backend, VaeTrainingOptions options, bool wanted, Func<IDeviceArrays, DeviceVaeStep> onDevice,
        Func<ITrainingStep> onCpu, EpochLoop.Settings settings, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        using var device = DeviceUse.Of(backend, options.DeviceArrays, wanted);
        using var deviceStep = device.Arrays is { } arrays ? onDevice(arrays) : null;
        return EpochLoop.Run((ITrainingStep?)deviceStep ?? onCpu(), settings, progress, cancellationToken);
    }

    /// <summary>Whether a model of <paramref name="layout"/> trains device-resident on <paramref name="training"/> when a device is there.</summary>
    internal static bool Fits(VaeParameterLayout layout, MatrixView training)
        => layout.Likelihood == VaeLikelihood.Bernoulli && (long)training.Rows * training.Columns <= VaeTrainer.DeviceResidentFloats;
}

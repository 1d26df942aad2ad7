using FreeEnergy.Compute;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;
using FreeEnergy.Estimation;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// CD-k / PCD-k training of a Bernoulli RBM, or a Gaussian RBM with fixed sigma, and TAP (EMF) training of a Bernoulli
/// RBM (DeviceRbmSession.Tap.cs), with everything resident on a device (<see cref="IDeviceArrays"/>): the
/// training set is uploaded once (or, above <see cref="RbmTrainingOptions.DeviceResidentFloats"/>, batch by batch), the
/// parameters, velocities, chains and batch buffers live on the device for the whole run, each batch is gathered there
/// from the epoch's shuffled row order, and only the per-epoch measurements (and three divergence scalars) come back.
/// The model is downloaded at the end, on divergence (the last good parameters) and on cancellation (the last completed
/// batch). It follows <see cref="RbmTrainingSession"/> step for step with the same (seed, stream, index) draws and the
/// same buffer layout (X = [positive rows; negative rows], P likewise, weight gradient = X^T P in one GEMM), so on
/// <see cref="HostDeviceArrays"/> it reproduces the CPU trainer and on CUDA it samples what the CPU samples.
/// Divergence is checked once per epoch (the CPU trainer checks every batch; both restore the start of the failing epoch).
/// </summary>
internal sealed partial class DeviceRbmSession : ITrainingStep, IDisposable
{
    private const int MonitorChunk = 1024;

    private readonly ITapDeviceOps _dev;
    private readonly RbmBase _model;
    private readonly GaussianRbm? _gaussian;
    private readonly DeviceArray? _sigma, _monitorScaled;
    private readonly MatrixView _data;
    private readonly RbmTrainingOptions _o;
    private readonly NegativePhase _phase;
    private readonly int _d, _h, _batch, _chains;
    private readonly List<DeviceArray> _owned = [];
    private readonly DeviceArray _w, _a, _b, _velW, _velA, _velB, _gradA, _gradB, _x, _p, _hState, _vMean;
    private readonly DeviceArray? _resident, _order;
    private readonly float[]? _staging;
    private readonly DeviceArray _monitorTrain, _monitorHidden, _monitorVisible, _monitorValues;
    private readonly DeviceArray? _monitorValid;
    private readonly int _trainRows, _validRows;
    private readonly Parameters _lastGood, _best;
    private int[] _orderHost = [];
    private readonly float[] _monitorHost = new float[MonitorChunk];
    private bool _chainsReady;
    private readonly ulong _seed;

    public DeviceRbmSession(RbmBase model, MatrixView data, RbmTrainingOptions options, IDeviceArrays device)
    {
        _dev = device.Ops<ITapDeviceOps>();
        _model = model;
        _gaussian = model as GaussianRbm;
        if (model is not (BernoulliRbm or GaussianRbm) || (_gaussian is not null && options.LearnSigma))
            throw new ArgumentException("The device-resident trainer takes Bernoulli RBMs and Gaussian RBMs with fixed sigma.", nameof(model));
        _data = data;
        _o = options;
        _phase = options.NegativePhase;
        if (_phase.Kind == NegativePhaseKind.Tap && _gaussian is not null) throw new ArgumentException("TAP training is available for Bernoulli RBMs only.", nameof(options));
        _seed = options.Seed;
        _d = model.Visible;
        _h = model.Hidden;
        _batch = Math.Min(options.BatchSize, data.Rows);
        _chains = _phase.ChainsFor(_batch);
        int rows = _batch + _chains;
        try
        {
            _w = Upload(model.Weights);
            _a = Upload(model.VisibleBias);
            _b = Upload(model.HiddenBias);
            if (_gaussian is not null) _sigma = Upload(_gaussian.VisibleSigma);
            _velW = Own(_d * _h); _velA = Own(_d); _velB = Own(_h);
            _gradA = Own(_d); _gradB = Own(_h);
            _x = Own(rows * _d); _p = Own(rows * _h);
            _hState = Own(_chains * _h); _vMean = Own(_chains * _d);
            if ((long)data.Rows * _d <= options.DeviceResidentFloats)
            {
                _resident = Upload(data.Span);
                _order = Own(Math.Max(data.Rows, _chains));
            }
            else _staging = new float[Math.Max(_batch, _chains) * _d];
            _trainRows = Math.Min(options.MonitorRows, data.Rows);
            _monitorTrain = _resident ?? Upload(data.RowRange(0, _trainRows).Span);
            if (options.ValidationData is { } valid && valid.Rows > 0)
            {
                _validRows = Math.Min(options.MonitorRows, valid.Rows);
                _monitorValid = Upload(valid.RowRange(0, _validRows).Span);
            }
            int chunk = Math.Min(MonitorChunk, Math.Max(_trainRows, _validRows));
            _monitorHidden = Own(chunk * _h); _monitorVisible = Own(chunk * _d); _monitorValues = Own(chunk);
            if (_gaussian is not null) _monitorScaled = Own(chunk * _d);
            if (_phase.Kind == NegativePhaseKind.Tap) _tap = new TapBuffers(this);
            _lastGood = new Parameters(this);
            _best = new Parameters(this);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private DeviceArray Own(int length)
    {
        var a = _dev.Allocate(length);
        _owned.Add(a);
        return a;
    }

    private DeviceArray Upload(ReadOnlySpan<float> values)
    {
        var a = Own(values.Length);
        _dev.Upload(values, a);
        return a;
    }

    public int BatchSize => _batch;

    public void BeginEpoch(int epoch, int[] order)
    {
        _orderHost = order;
        if (_order is not null) _dev.UploadIndexes(order, _order);
    }

    public string? Batch(int epoch, int batchIndex, int start, int rows, float learningRate)
    {
        Step(epoch, batchIndex, start, rows, learningRate);
        return null;
    }

    /// <summary>Divergence is checked once per epoch (three scalars come back), not per batch.</summary>
    public string? EndEpoch(int epoch) => ParametersSane() ? null : "parameters";

    public void Save(ParameterCopy copy) => (copy == ParameterCopy.Best ? _best : _lastGood).Capture();

    public void Restore(ParameterCopy copy) => (copy == ParameterCopy.Best ? _best : _lastGood).Restore();

    /// <summary>Downloads the parameters into the model.</summary>
    public void Finish()
    {
        _dev.Download(_w, _model.Weights);
        _dev.Download(_a, _model.VisibleBias);
        _dev.Download(_b, _model.HiddenBias);
    }

    public TrainingDivergedException Diverged(int epoch, float learningRate, string what) => RbmTrainer.Diverged(_o, _gaussian is not null, epoch, learningRate);

    private bool ParametersSane()
    {
        float limit = _o.DivergenceLimit;
        return _dev.MaxMagnitude(_w) <= limit && _dev.MaxMagnitude(_a) <= limit && _dev.MaxMagnitude(_b) <= limit;
    }

    /// <summary>Rows order[start + r] (r &lt; count) of the training set into <paramref name="destination"/>.</summary>
    private void LoadRows(int start, int count, DeviceSlice destination)
    {
        if (_resident is not null)
        {
            _dev.GatherRows(_resident, _d, _order!.Slice(start, count), count, destination);
            return;
        }
        var staging = _staging!;
        for (int r = 0; r < count; r++) _data.Row(_orderHost[start + r]).CopyTo(staging.AsSpan(r * _d, _d));
        _dev.Upload(staging.AsSpan(0, count * _d), destination);
    }

    private void Step(int epoch, int batchIndex, int start, int n, float lr)
    {
        int d = _d, h = _h;
        var dev = _dev;
        LoadRows(start, n, _x.Slice(0, n * d));
        if (_sigma is not null) dev.DivideColumns(_x.Slice(0, n * d), _sigma, n, d); // the hidden layer sees v / sigma
        // Positive phase: P = sigmoid(X W + c) (CD also samples the chains' start from it).
        var xPos = _x.Slice(0, n * d);
        var pPos = _p.Slice(0, n * h);
        dev.Gemm(Transpose.None, Transpose.None, n, h, d, 1f, xPos, d, _w, h, 0f, pPos, h);
        dev.BiasSigmoid(pPos, _b, pPos, n, h);
        if (_tap is not null)
        {
            TapStep(n, lr);
            return;
        }
        ulong epochId = (ulong)epoch, batchId = (ulong)batchIndex;
        bool cd = _phase.Kind == NegativePhaseKind.ContrastiveDivergence;
        if (cd) dev.Bernoulli(pPos, _hState.Slice(0, n * h), _seed, RbmTrainingSession.SampleStream(epochId, batchId, 0), 0);

        int c = cd ? n : _chains;
        var xNeg = _x.Slice(n * d, c * d);
        var pNeg = _p.Slice(n * h, c * h);
        var hState = _hState.Slice(0, c * h);
        var vMean = _vMean.Slice(0, c * d);
        if (!cd && !_chainsReady)
        {
            InitialiseChains(xNeg, pNeg);
            _chainsReady = true;
        }
        int k = _phase.Steps;
        for (int step = 1; step <= k; step++)
        {
            dev.Gemm(Transpose.None, Transpose.Transposed, c, d, h, 1f, hState, h, _w, h, 0f, vMean, d);
            ulong vStream = RbmTrainingSession.SampleStream(epochId, batchId, 2 * step - 1);
            if (_sigma is null)
            {
                dev.BiasSigmoid(vMean, _a, vMean, c, d);
                dev.Bernoulli(vMean, xNeg, _seed, vStream, 0);
            }
            else dev.GaussianVisible(vMean, _a, _sigma, xNeg, c, d, _seed, vStream, 0);
            dev.Gemm(Transpose.None, Transpose.None, c, h, d, 1f, xNeg, d, _w, h, 0f, pNeg, h);
            dev.BiasSigmoid(pNeg, _b, pNeg, c, h);
            if (step < k || !cd) dev.Bernoulli(pNeg, hState, _seed, RbmTrainingSession.SampleStream(epochId, batchId, 2 * step), 0);
        }

        // Bias gradients (to minimise), then P scaled so that X^T P is the weight gradient (ascent).
        dev.ColumnMeanDifference(xPos, n, xNeg, c, d, _gradA);
        if (_sigma is not null) dev.DivideColumns(_gradA, _sigma, 1, d); // d/da of (v - a)^2 / (2 sigma^2) over x = v / sigma
        dev.ColumnMeanDifference(pPos, n, pNeg, c, h, _gradB);
        dev.Scale(pPos, 1f / n);
        dev.Scale(pNeg, -1f / c);
        int m = n + c;
        dev.Gemm(Transpose.Transposed, Transpose.None, d, h, m, lr, _x, d, _p, h, _o.Momentum, _velW, h);
        dev.WeightStep(_w, _velW, _o.L2WeightDecay * lr, _o.L1WeightDecay * lr);
        dev.Momentum(_a, _gradA, _velA, lr, _o.Momentum, 0f);
        dev.Momentum(_b, _gradB, _velB, lr, _o.Momentum, 0f);
    }

    /// <summary>PCD chains start from p(h|v) samples of data rows (row r % N of the first shuffled order), as on the CPU.</summary>
    private void InitialiseChains(DeviceSlice xScratch, DeviceSlice pScratch)
    {
        int c = _chains, d = _d, h = _h, rows = _data.Rows;
        if (_resident is not null)
        {
            var indexes = new int[c];
            for (int r = 0; r < c; r++) indexes[r] = _orderHost[r % rows];
            var chainRows = _dev.Allocate(c);
            try
            {
                _dev.UploadIndexes(indexes, chainRows);
                _dev.GatherRows(_resident, d, chainRows, c, xScratch);
            }
            finally { chainRows.Dispose(); }
        }
        else
        {
            var staging = _staging!;
            for (int r = 0; r < c; r++) _data.Row(_orderHost[r % rows]).CopyTo(staging.AsSpan(r * d, d));
            _dev.Upload(staging.AsSpan(0, c * d), xScratch);
        }
        if (_sigma is not null) _dev.DivideColumns(xScratch, _sigma, c, d);
        _dev.Gemm(Transpose.None, Transpose.None, c, h, d, 1f, xScratch, d, _w, h, 0f, pScratch, h);
        _dev.BiasSigmoid(pScratch, _b, pScratch, c, h);
        _dev.Bernoulli(pScratch, _hState.Slice(0, c * h), _seed, Philox.Stream(RbmTrainingSession.StreamChains, 0), 0);
    }

    public EpochMeasures Measure(int epoch)
    {
        bool validation = _monitorValid is not null;
        var (trainError, trainEnergy) = Monitor(_monitorTrain, _trainRows, validation);
        double validError = double.NaN, gap = double.NaN;
        if (validation)
        {
            var (error, energy) = Monitor(_monitorValid!, _validRows, true);
            validError = error;
            gap = energy - trainEnergy;
        }
        return new EpochMeasures(trainError, validError, gap, double.IsFinite(trainError) ? null : "training loss");
    }

    /// <summary>Mean squared mean-field reconstruction error (as <see cref="RbmBase.Reconstruct"/>) and, when asked, the mean free energy of the first <paramref name="rows"/> rows.</summary>
    private (double Error, double MeanFreeEnergy) Monitor(DeviceArray rowsArray, int rows, bool freeEnergy)
    {
        int d = _d, h = _h;
        double error = 0, energy = 0;
        var values = _monitorHost;
        for (int start = 0; start < rows; start += MonitorChunk)
        {
            int n = Math.Min(MonitorChunk, rows - start);
            var v = rowsArray.Slice(start * d, n * d);
            var hidden = _monitorHidden.Slice(0, n * h);
            var visible = _monitorVisible.Slice(0, n * d);
            var result = _monitorValues.Slice(0, n);
            var x = v;
            if (_sigma is not null)
            {
                x = _monitorScaled!.Slice(0, n * d);
                _dev.Copy(v, x);
                _dev.DivideColumns(x, _sigma, n, d);
            }
            _dev.Gemm(Transpose.None, Transpose.None, n, h, d, 1f, x, d, _w, h, 0f, hidden, h);
            if (freeEnergy)
            {
                if (_sigma is null) _dev.RbmFreeEnergyRows(v, _a, hidden, _b, result, n, d, h);
                else _dev.GaussianRbmFreeEnergyRows(v, _a, _sigma, hidden, _b, result, n, d, h);
                _dev.Download(result, values);
                for (int r = 0; r < n; r++) energy += values[r];
            }
            _dev.BiasSigmoid(hidden, _b, hidden, n, h);
            _dev.Gemm(Transpose.None, Transpose.Transposed, n, d, h, 1f, hidden, h, _w, h, 0f, visible, d);
            if (_sigma is null) _dev.BiasSigmoid(visible, _a, visible, n, d);
            else _dev.ScaleShiftColumns(visible, _sigma, _a, visible, n, d);
            _dev.SquaredErrorRows(v, visible, result, n, d);
            _dev.Download(result, values);
            for (int r = 0; r < n; r++) error += values[r];
        }
        return (error / ((double)rows * d), energy / Math.Max(1, rows));
    }

    public void Dispose()
    {
        foreach (var a in _owned) a.Dispose();
        _owned.Clear();
    }

    /// <summary>A device-side copy of the parameters, for divergence recovery and early stopping.</summary>
    private sealed class Parameters
    {
        private readonly DeviceRbmSession _s;
        private readonly DeviceArray _w, _a, _b;

        public Parameters(DeviceRbmSession session)
        {
            _s = session;
            _w = session.Own(session._w.Length);
            _a = session.Own(session._a.Length);
            _b = session.Own(session._b.Length);
        }

        public void Capture()
        {
            _s._dev.Copy(_s._w, _w);
            _s._dev.Copy(_s._a, _a);
            _s._dev.Copy(_s._b, _b);
        }

        public void Restore()
        {
            _s._dev.Copy(_w, _s._w);
            _s._dev.Copy(_a, _s._a);
            _s._dev.Copy(_b, _s._b);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;
using FreeEnergy.Estimation;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// One training run: every buffer is allocated once here, so a batch allocates nothing. Layout per batch of
/// <c>n</c> rows with <c>c</c> negative rows: X [(n + c) x D] holds the positive rows then the negative rows as the
/// hidden layer sees them (v, or v / sigma); P [(n + c) x H] holds p(h|x), which is then scaled in place by 1/n
/// (positive) and -1/c (negative) so that the whole weight gradient is one GEMM, X^T P, accumulated with
/// alpha = learning rate and beta = momentum straight into the velocity. For a Bernoulli RBM (CD/PCD) whose rows are
/// 0/1 (binary data; visible samples always are), the products x W and X^T P run as sums of selected rows
/// (<see cref="BinaryRows"/>, bit-identical to the AVX2 GEMM), and so does h W^T for the binary hidden samples; the
/// weight update, the P scaling and the bias gradients are folded into one pass, which also packs the new W into the
/// L1-sized panels (<see cref="BinaryPanels"/>) that the next batch's products read. Grey data rows (real values in
/// [0, 1]) take the GEMM for x W and enter that same one-pass step as dense terms (the GEMM's arithmetic, so the same
/// bits as the GEMM path), while the binary samples keep their sums of selected rows.
/// </summary>
internal sealed class RbmTrainingSession : ITrainingStep
{
    internal const ulong StreamShuffle = 0x5301, StreamSample = 0x5302, StreamChains = 0x5303;

    private readonly RbmBase _model;
    private readonly GaussianRbm? _gaussian;
    private readonly MatrixView _data;
    private readonly RbmTrainingOptions _o;
    private readonly IComputeBackend _backend;
    private readonly NegativePhase _phase;
    private readonly int _d, _h, _batch, _chains;
    private readonly float[] _x, _p, _hState, _vMean, _vRaw;
    private readonly float[] _velW, _velA, _velB, _velS;
    private readonly float[] _gradA, _gradB, _gradS, _scratchD, _scratchD2;
    private readonly float[]? _gradW;
    private readonly float[]? _magV, _magH;
    private readonly TapSettings? _tap;
    private readonly BernoulliRbm? _tapModel;
    private readonly TapMagnetizations? _magnetizations;
    private readonly BinaryRows? _binary, _hiddenRows;
    private readonly BinaryPanels? _rowPanels, _columnPanels;
    private bool _panelsCurrent;
    private int[] _order = [];
    private readonly Snapshot _lastGood, _best;
    private bool _chainsReady;
    private bool? _weightsSane;
    private ulong _seed;

    public RbmTrainingSession(RbmBase model, MatrixView data, RbmTrainingOptions options)
    {
        _model = model;
        _gaussian = model as GaussianRbm;
        _data = data;
        _o = options;
        _backend = model.Backend;
        _phase = options.NegativePhase;
        _seed = options.Seed;
        _d = model.Visible;
        _h = model.Hidden;
        _batch = Math.Min(options.BatchSize, data.Rows);
        _chains = _phase.ChainsFor(_batch);
        int rows = _batch + _chains;
        _x = new float[rows * _d];
        _p = new float[rows * _h];
        _hState = new float[_chains * _h];
        _vMean = new float[_chains * _d];
        _vRaw = _gaussian is null ? [] : new float[_chains * _d];
        _velW = new float[_d * _h];
        _velA = new float[_d];
        _velB = new float[_h];
        _velS = new float[_d];
        _gradA = new float[_d];
        _gradB = new float[_h];
        _gradS = new float[_d];
        _scratchD = new float[_d];
        _scratchD2 = new float[_d];
        if (_phase.Kind == NegativePhaseKind.Tap || options.LearnSigma) _gradW = new float[_d * _h];
        if (_phase.Kind == NegativePhaseKind.Tap)
        {
            _magV = new float[_chains * _d];
            _magH = new float[_chains * _h];
            _tap = new TapSettings { Order = _phase.Order, Iterations = _phase.Iterations, Damping = _phase.Damping };
            _tapModel = model as BernoulliRbm ?? throw new ArgumentException("TAP training needs a Bernoulli RBM.", nameof(model));
            _magnetizations = new TapMagnetizations(_magV, _magH, _chains);
        }
        // Bernoulli CD/PCD: products with 0/1 rows (binary data, every visible sample) as sums of selected rows.
        if (_gaussian is null && _phase.Kind != NegativePhaseKind.Tap && _gradW is null && !options.DenseProducts)
        {
            _binary = new BinaryRows(rows, _d);
            if (Math.Max(_d, _h) <= BinaryRows.MaxPanelDepth)
            {
                _hiddenRows = new BinaryRows(_chains, _h);
                _rowPanels = new BinaryPanels(_d, _h);
                _columnPanels = new BinaryPanels(_h, _d);
            }
        }
        _lastGood = new Snapshot(model);
        _best = new Snapshot(model);
    }

    public int BatchSize => _batch;

    public void BeginEpoch(int epoch, int[] order) => _order = order;

    public string? Batch(int epoch, int batchIndex, int start, int rows, float learningRate)
    {
        Step(epoch, batchIndex, start, rows, learningRate);
        return ParametersSane() ? null : "parameters";
    }

    /// <summary>The parameters were checked after every batch.</summary>
    public string? EndEpoch(int epoch) => null;

    public void Save(ParameterCopy copy) => (copy == ParameterCopy.Best ? _best : _lastGood).Capture(_model);

    public void Restore(ParameterCopy copy) => (copy == ParameterCopy.Best ? _best : _lastGood).Restore(_model);

    /// <summary>The parameters are the model's own arrays.</summary>
    public void Finish() { }

    public TrainingDivergedException Diverged(int epoch, float learningRate, string what) => RbmTrainer.Diverged(_o, _gaussian is not null, epoch, learningRate);

    private bool ParametersSane()
    {
        float limit = _o.DivergenceLimit;
        bool weights = _weightsSane ?? WeightsSane(limit);
        _weightsSane = null;
        return weights && RbmKernels.IsSane(_model.VisibleBias, limit) && RbmKernels.IsSane(_model.HiddenBias, limit)
            && (_gaussian is null || RbmKernels.IsSane(_gaussian.VisibleSigma, limit));
    }

    /// <summary>
    /// The weight check of <see cref="ParametersSane"/>, over row ranges in parallel: a pass over the whole of W, needed
    /// only when the weight step did not check the weights as it stored them (see <see cref="BinaryRows.WeightStep"/>).
    /// </summary>
    private bool WeightsSane(float limit)
    {
        var w = _model.Weights;
        int h = _h;
        int bad = 0;
        _backend.For(_d, RbmKernels.Grain(h), (s, e) =>
        {
            if (!RbmKernels.IsSane(w.AsSpan(s * h, (e - s) * h), limit)) Volatile.Write(ref bad, 1);
        });
        return bad == 0;
    }

    /// <summary>One batch, as its phases: positive phase, negative phase, gradients, update (TAP: its own negative phase and update).</summary>
    private void Step(int epoch, int batchIndex, int start, int n, float lr)
    {
        ulong epochId = (ulong)epoch, batchId = (ulong)batchIndex;
        bool positiveBinary = PositivePhase(start, n, epochId, batchId);
        if (_phase.Kind == NegativePhaseKind.Tap)
        {
            TapStep(n, lr);
            return;
        }
        var (c, negativeBinary) = NegativePhase(n, epochId, batchId);
        // The binary weight step needs 0/1 negative rows; in one pass (at most 384 rows) it scales P's rows
        // (1/n positive, -1/c negative) as it reads them, sums the bias gradients itself and takes real-valued
        // (grey) positive rows as dense terms; over several passes both sides must be 0/1.
        bool onePass = _gradW is null && negativeBinary && BinaryRows.OnePass(n + c);
        bool binaryStep = onePass || (_gradW is null && positiveBinary && negativeBinary);
        if (!onePass) Gradients(n, c);
        Update(n, c, lr, binaryStep, onePass, positiveBinary ? 0 : n);
    }

    /// <summary>
    /// The positive rows gathered into X (scaled by 1/sigma for the Gaussian RBM) and P = p(h|x) (CD also samples the
    /// chains' start from it); true when the rows are 0/1 (their products then ran as sums of selected rows).
    /// </summary>
    private bool PositivePhase(int start, int n, ulong epochId, ulong batchId)
    {
        int d = _d, h = _h;
        var model = _model;
        var backend = _backend;
        var data = _data;
        var order = _order;
        var sigma = _gaussian?.VisibleSigma;
        var x = _x;
        backend.For(n, RbmKernels.Grain(d), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                var src = data.Row(order[start + r]);
                var dst = x.AsSpan(r * d, d);
                if (sigma is null) src.CopyTo(dst);
                else TensorPrimitives.Divide(src, sigma, dst);
            }
        });
        bool positiveBinary = _binary is not null && _binary.Collect(backend, x, 0, n);
        if (positiveBinary && _rowPanels is not null) _binary!.Multiply(backend, 0, n, CurrentPanels().Rows, _p);
        else RbmKernels.VisibleToHidden(backend, x.AsSpan(0, n * d), n, model.Weights, d, h, _p);
        if (_phase.Kind == NegativePhaseKind.ContrastiveDivergence)
            RbmKernels.BiasSigmoidSample(backend, _p, 0, n, model.HiddenBias, 1f, _hState, 0, _seed, SampleStream(epochId, batchId, 0));
        else
            RbmKernels.BiasSigmoidOnePass(backend, _p, 0, n, model.HiddenBias, 1f);
        return positiveBinary;
    }

    /// <summary>
    /// k Gibbs steps from the chains (CD: the positive samples; PCD: the persistent chains) into X's and P's negative
    /// rows; the number of negative rows, and whether the last visible samples are 0/1 (Bernoulli).
    /// </summary>
    private (int Chains, bool Binary) NegativePhase(int n, ulong epochId, ulong batchId)
    {
        int d = _d, h = _h;
        var model = _model;
        var backend = _backend;
        var x = _x;
        int c = _phase.Kind == NegativePhaseKind.ContrastiveDivergence ? n : _chains;
        int negX = n * d, negP = n * h;
        if (_phase.Kind != NegativePhaseKind.ContrastiveDivergence && !_chainsReady)
        {
            InitialiseChains();
            _chainsReady = true;
        }
        int k = _phase.Steps;
        bool negativeBinary = false;
        for (int step = 1; step <= k; step++)
        {
            if (_hiddenRows is not null && _hiddenRows.Collect(backend, _hState, 0, c)) _hiddenRows.Multiply(backend, 0, c, CurrentPanels().Columns, _vMean);
            else RbmKernels.HiddenToVisible(backend, _hState, c, model.Weights, d, h, _vMean);
            ulong vStream = SampleStream(epochId, batchId, 2 * step - 1);
            if (_gaussian is null) RbmKernels.BiasSigmoidSample(backend, _vMean, 0, c, model.VisibleBias, 1f, x, negX, _seed, vStream);
            else
            {
                model.VisibleMean(backend, _vMean, 0, c, 1f);
                model.SampleVisible(backend, _vMean, 0, _vRaw, 0, c, _seed, vStream, 1f);
                model.ScaleVisible(backend, _vRaw, 0, x, negX, c);
            }
            negativeBinary = _binary is not null && _gaussian is null && _binary.Collect(backend, x, n, c);
            if (negativeBinary && _rowPanels is not null) _binary!.Multiply(backend, n, c, CurrentPanels().Rows, _p.AsSpan(negP));
            else RbmKernels.VisibleToHidden(backend, x.AsSpan(negX, c * d), c, model.Weights, d, h, _p.AsSpan(negP));
            if (step < k || _phase.Kind == NegativePhaseKind.PersistentContrastiveDivergence)
                RbmKernels.BiasSigmoidSample(backend, _p, negP, c, model.HiddenBias, 1f, _hState, 0, _seed, SampleStream(epochId, batchId, 2 * step));
            else
                RbmKernels.BiasSigmoidOnePass(backend, _p, negP, c, model.HiddenBias, 1f);
        }
        return (c, negativeBinary);
    }

    /// <summary>
    /// Bias gradients (each element summed over the rows in a fixed order: deterministic at any thread count), and the
    /// P rows scaled (1/n positive, -1/c negative) so that X^T P is the weight gradient; the Gaussian RBM's visible
    /// gradient over x = v / sigma (and, learning sigma, the quadratic part of its gradient).
    /// </summary>
    private void Gradients(int n, int c)
    {
        BiasGradientsAndScaledP(n, c, n * _d, n * _h, 1f / n, 1f / c);
        if (_gaussian is not null)
        {
            var s = _gaussian.VisibleSigma;
            if (_o.LearnSigma) QuadraticDifference(n, c);
            TensorPrimitives.Divide(_gradA, s, _gradA); // d/da of (v - a)^2 / (2 sigma^2) over x = v / sigma
        }
    }

    /// <summary>
    /// The weight update (binary one-pass step, its first <paramref name="denseRows"/> rows real-valued, or multi-block
    /// step; GEMM into the velocity; or an explicit gradient), then the biases.
    /// </summary>
    private void Update(int n, int c, float lr, bool binaryStep, bool onePass, int denseRows)
    {
        int d = _d, h = _h, m = n + c;
        var backend = _backend;
        bool weightsPacked = false;
        if (binaryStep)
        {
            // velW = momentum velW + lr X^T P - lr L2 W and W += velW in the same pass (unless L1 decay needs its own),
            // which in one pass also packs the new W into the panels of the next batch's products.
            bool l1 = _o.L1WeightDecay != 0f;
            var scale = onePass ? new BinaryRows.RowScale(n, 1f / n, -(1f / c)) : BinaryRows.RowScale.None(m);
            _weightsSane = _binary!.WeightStep(backend, m, _p, scale, h, lr, _o.Momentum, _velW, l1 ? null : _model.Weights,
                _o.DivergenceLimit, _o.L2WeightDecay * lr, _rowPanels, _columnPanels, onePass ? _gradA : null, onePass ? _gradB : null,
                denseRows > 0 ? _x : null, denseRows);
            if (l1) UpdateWeights(lr, null);
            else weightsPacked = _binary.PanelsPacked;
        }
        else if (_gradW is null)
        {
            backend.Gemm(Transpose.Transposed, Transpose.None, d, h, m, lr, _x, d, _p, h, _o.Momentum, _velW, h);
            UpdateWeights(lr, null);
        }
        else
        {
            backend.Gemm(Transpose.Transposed, Transpose.None, d, h, m, 1f, _x, d, _p, h, 0f, _gradW, h);
            if (_o.LearnSigma) SigmaGradientFromWeights();
            UpdateWeights(lr, _gradW, gradientSign: 1f);
        }
        _panelsCurrent = weightsPacked;
        UpdateBiases(lr);
    }

    /// <summary>The panel copies of W for the binary products, packed again when W has changed since they were last packed.</summary>
    private (BinaryPanels Rows, BinaryPanels Columns) CurrentPanels()
    {
        if (!_panelsCurrent)
        {
            BinaryPanels.Pack(_backend, _model.Weights, _d, _h, _rowPanels!, _columnPanels!);
            _panelsCurrent = true;
        }
        return (_rowPanels!, _columnPanels!);
    }

    /// <summary>The Philox stream of one sampling phase of one batch: (epoch, batch, phase) mixed into one id.</summary>
    internal static ulong SampleStream(ulong epoch, ulong batch, int phase) => Philox.Stream(StreamSample + ((ulong)phase << 16), epoch, batch);

    private void TapStep(int n, float lr)
    {
        int d = _d, h = _h, c = _chains;
        var model = _model;
        var mv = _magV!;
        var mh = _magH!;
        if (!_chainsReady)
        {
            // Start the magnetisations at data rows (clamped away from 0 and 1) and their hidden means.
            for (int r = 0; r < c; r++)
            {
                var src = _data.Row(_order[r % _data.Rows]);
                var dst = mv.AsSpan(r * d, d);
                TensorPrimitives.Clamp(src, 1e-3f, 1f - 1e-3f, dst);
            }
            RbmKernels.VisibleToHidden(_backend, mv, c, model.Weights, d, h, mh);
            RbmKernels.BiasSigmoid(_backend, mh, 0, c, model.HiddenBias, 1f);
            _chainsReady = true;
        }
        TapExpansion.Iterate(_tapModel!, _magnetizations!, _tap!, _backend);
        TapExpansion.Gradient(_tapModel!, _magnetizations!, _tap!.Order, _gradW, _gradA, _gradB, _backend);
        // gradW/gradA/gradB hold the negative phase (TAP); the bias gradients become positive - negative.
        float invN = 1f / n;
        TensorPrimitives.Negate(_gradA, _gradA);
        TensorPrimitives.Negate(_gradB, _gradB);
        for (int r = 0; r < n; r++)
        {
            TensorPrimitives.MultiplyAdd(_x.AsSpan(r * d, d), invN, _gradA, _gradA);
            TensorPrimitives.MultiplyAdd(_p.AsSpan(r * h, h), invN, _gradB, _gradB);
        }
        // velW = momentum * velW + (lr / n) X^T P (positive phase); the update pass subtracts lr * gradW.
        _backend.Gemm(Transpose.Transposed, Transpose.None, d, h, n, lr * invN, _x, d, _p, h, _o.Momentum, _velW, h);
        UpdateWeights(lr, _gradW, gradientSign: -1f);
        UpdateBiases(lr);
    }

    private void InitialiseChains()
    {
        // PCD chains start from p(h|v) samples of data rows (row r % N of the first shuffled order).
        int d = _d, c = _chains;
        var tmpX = new float[c * d];
        var tmpP = new float[c * _h];
        for (int r = 0; r < c; r++)
        {
            var src = _data.Row(_order[r % _data.Rows]);
            src.CopyTo(tmpX.AsSpan(r * d, d));
        }
        if (_gaussian is not null) _model.ScaleVisible(_backend, tmpX, 0, tmpX, 0, c);
        RbmKernels.VisibleToHidden(_backend, tmpX, c, _model.Weights, d, _h, tmpP);
        RbmKernels.BiasSigmoid(_backend, tmpP, 0, c, _model.HiddenBias, 1f);
        RbmKernels.SampleBernoulli(_backend, tmpP, 0, _hState, 0, c, _h, _seed, Philox.Stream(StreamChains, 0));
    }

    /// <summary>
    /// gradA and gradB = invN * (sum of the positive rows) - invC * (sum of the negative rows) of X and P, accumulated
    /// row by row in a fixed order, then the P rows scaled by invN (positive) and -invC (negative). One parallel pass:
    /// each thread takes a range of P's columns (and the matching share of X's), sums them and then scales them, so no
    /// thread reads what another writes, and each element's arithmetic is the same whatever the split.
    /// </summary>
    private void BiasGradientsAndScaledP(int n, int c, int negX, int negP, float invN, float invC)
    {
        int d = _d, h = _h;
        var x = _x;
        var p = _p;
        var gradA = _gradA;
        var gradB = _gradB;
        _backend.For(h, Math.Max(8, RbmKernels.ElementGrain / Math.Max(1, n + c)), (s, e) =>
        {
            int xs = (int)((long)s * d / h), xe = (int)((long)e * d / h);
            ColumnDifference(x, 0, n, negX, c, d, invN, invC, gradA, xs, xe);
            ColumnDifference(p, 0, n, negP, c, h, invN, invC, gradB, s, e);
            for (int r = 0; r < n; r++)
            {
                var span = p.AsSpan(r * h + s, e - s);
                TensorPrimitives.Multiply(span, invN, span);
            }
            for (int r = 0; r < c; r++)
            {
                var span = p.AsSpan(negP + r * h + s, e - s);
                TensorPrimitives.Multiply(span, -invC, span);
            }
        });
    }

    /// <summary>result[s..e) = invN * (sum of the positive rows) - invC * (sum of the negative rows) over columns [s, e), row by row.</summary>
    private static void ColumnDifference(float[] matrix, int positiveOffset, int n, int negativeOffset, int c, int width, float invN, float invC, float[] result, int s, int e)
    {
        if (e <= s) return;
        var sum = result.AsSpan(s, e - s);
        sum.Clear();
        for (int r = 0; r < n; r++) AddScaled(matrix.AsSpan(positiveOffset + r * width + s, e - s), invN, sum);
        for (int r = 0; r < c; r++) AddScaled(matrix.AsSpan(negativeOffset + r * width + s, e - s), -invC, sum);
    }

    /// <summary>
    /// sum += factor * row, a rounded product then a rounded sum (never fused: the binary weight step,
    /// <see cref="BinaryRows.WeightStep"/>, computes its bias gradients and weight decay with the same arithmetic, so
    /// both paths agree to the bit).
    /// </summary>
    private static void AddScaled(ReadOnlySpan<float> row, float factor, Span<float> sum)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vf = Vector256.Create(factor);
            for (; i + 8 <= row.Length; i += 8)
                (Vector256.Create(sum.Slice(i, 8)) + Vector256.Create(row.Slice(i, 8)) * vf).CopyTo(sum.Slice(i, 8));
        }
        for (; i < row.Length; i++) sum[i] += row[i] * factor;
    }

    /// <summary>gradS (before the weight term) = mean_pos (x - a/sigma)^2 - mean_neg (x - a/sigma)^2.</summary>
    private void QuadraticDifference(int n, int c)
    {
        int d = _d;
        var g = _gaussian!;
        var shift = _scratchD;
        TensorPrimitives.Divide(g.VisibleBias, g.VisibleSigma, shift);
        Array.Clear(_gradS);
        var diff = _scratchD2.AsSpan();
        for (int r = 0; r < n + c; r++)
        {
            TensorPrimitives.Subtract(_x.AsSpan(r * d, d), shift, diff);
            TensorPrimitives.Multiply(diff, diff, diff);
            TensorPrimitives.MultiplyAdd(diff, r < n ? 1f / n : -1f / c, _gradS, _gradS);
        }
    }

    /// <summary>gradS_i -= sum_j W_ij G_ij, with G the weight gradient (the x_i (W h)_i term of d(-E)/d log sigma).</summary>
    private void SigmaGradientFromWeights()
    {
        int h = _h;
        var w = _model.Weights;
        for (int i = 0; i < _d; i++)
            _gradS[i] -= TensorPrimitives.Dot(w.AsSpan(i * h, h), _gradW.AsSpan(i * h, h));
    }

    /// <summary>
    /// velW (already holding momentum * old + any GEMM term) += gradientSign * lr * gradient - lr * (l2 W + l1 sign W); W += velW.
    /// With <paramref name="gradient"/> null the GEMM has put the whole gradient into velW.
    /// </summary>
    private void UpdateWeights(float lr, float[]? gradient, float gradientSign = 1f)
    {
        int h = _h;
        var w = _model.Weights;
        var vel = _velW;
        float momentum = _o.Momentum;
        float l2 = _o.L2WeightDecay * lr, l1 = _o.L1WeightDecay * lr;
        bool velocityFromGemm = gradient is null || gradientSign < 0f;
        float scale = gradientSign * lr;
        _backend.For(_d, RbmKernels.Grain(h), (s, e) =>
        {
            var wr = w.AsSpan(s * h, (e - s) * h);
            var vr = vel.AsSpan(s * h, (e - s) * h);
            if (gradient is not null)
            {
                var gr = gradient.AsSpan(s * h, (e - s) * h);
                if (velocityFromGemm) TensorPrimitives.MultiplyAdd(gr, scale, vr, vr);          // vel += sign * lr * g
                else
                {
                    TensorPrimitives.Multiply(vr, momentum, vr);                                   // vel = m vel + lr g
                    TensorPrimitives.MultiplyAdd(gr, scale, vr, vr);
                }
            }
            if (l2 != 0f) AddScaled(wr, -l2, vr);                                          // vel -= lr l2 W
            if (l1 != 0f)
                for (int i = 0; i < wr.Length; i++) vr[i] -= l1 * MathF.Sign(wr[i]);
            TensorPrimitives.Add(wr, vr, wr);
        });
    }

    private void UpdateBiases(float lr)
    {
        var m = _model;
        float momentum = _o.Momentum;
        Momentum(_velA, _gradA, momentum, lr);
        TensorPrimitives.Add(m.VisibleBias, _velA, m.VisibleBias);
        Momentum(_velB, _gradB, momentum, lr);
        TensorPrimitives.Add(m.HiddenBias, _velB, m.HiddenBias);
        if (_gaussian is not null && _o.LearnSigma)
        {
            Momentum(_velS, _gradS, momentum, lr);
            var sigma = _gaussian.VisibleSigma;
            for (int i = 0; i < sigma.Length; i++)
            {
                float z = MathF.Log(sigma[i]) + _velS[i];
                if (float.IsNaN(z)) { sigma[i] = float.NaN; continue; }
                sigma[i] = MathF.Exp(Math.Clamp(z, _o.MinLogSigma, _o.MaxLogSigma));
            }
        }
    }

    private static void Momentum(float[] velocity, float[] gradient, float momentum, float lr)
    {
        TensorPrimitives.Multiply(velocity, momentum, velocity);
        TensorPrimitives.MultiplyAdd(gradient, lr, velocity, velocity);
    }

    public EpochMeasures Measure(int epoch)
    {
        int rows = Math.Min(_o.MonitorRows, _data.Rows);
        var train = _data.RowRange(0, rows);
        double trainError = ReconstructionError(train);
        double validError = double.NaN, gap = double.NaN;
        if (_o.ValidationData is { } valid && valid.Rows > 0)
        {
            var v = valid.RowRange(0, Math.Min(_o.MonitorRows, valid.Rows));
            validError = ReconstructionError(v);
            gap = MeanFreeEnergy(v) - MeanFreeEnergy(train);
        }
        return new EpochMeasures(trainError, validError, gap, double.IsFinite(trainError) ? null : "training loss");
    }

    private double ReconstructionError(MatrixView data)
    {
        var recon = _model.Reconstruct(data);
        double sum = 0;
        for (int r = 0; r < data.Rows; r++)
        {
            var a = data.Row(r);
            var b = recon.Row(r);
            for (int i = 0; i < a.Length; i++)
            {
                double e = a[i] - b[i];
                sum += e * e;
            }
        }
        return sum / ((double)data.Rows * data.Columns);
    }

    private double MeanFreeEnergy(MatrixView data)
    {
        var f = new double[data.Rows];
        _model.FreeEnergy(data, f);
        double s = 0;
        foreach (var x in f) s += x;
        return s / Math.Max(1, f.Length);
    }

    /// <summary>A copy of the parameters, for divergence recovery and early stopping.</summary>
    private sealed class Snapshot
    {
        private readonly float[] _w, _a, _b, _s;

        public Snapshot(RbmBase model)
        {
            _w = new float[model.Weights.Length];
            _a = new float[model.VisibleBias.Length];
            _b = new float[model.HiddenBias.Length];
            _s = model is GaussianRbm g ? new float[g.VisibleSigma.Length] : [];
        }

        public void Capture(RbmBase model)
        {
            model.Weights.CopyTo(_w, 0);
            model.VisibleBias.CopyTo(_a, 0);
            model.HiddenBias.CopyTo(_b, 0);
            if (model is GaussianRbm g) g.VisibleSigma.CopyTo(_s, 0);
        }

        public void Restore(RbmBase model)
        {
            _w.CopyTo(model.Weights, 0);
            _a.CopyTo(model.VisibleBias, 0);
            _b.CopyTo(model.HiddenBias, 0);
            if (model is GaussianRbm g) _s.CopyTo(g.VisibleSigma, 0);
        }
    }
}

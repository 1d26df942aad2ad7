using System.Globalization;
using System.Numerics.Tensors;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Persistence;
using FreeEnergy.Tensors;

namespace FreeEnergy.Models;

/// <summary>
/// What Bernoulli and Gaussian-Bernoulli RBMs share: the weight matrix W [visible x hidden] (energy term
/// -x^T W h, where x is the visible row, divided by sigma for the Gaussian RBM), the visible and hidden
/// biases, the batched hidden-layer maths, Gibbs sampling and persistence.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="Encode"/>, <see cref="Reconstruct"/>, <see cref="FreeEnergy(MatrixView)"/>, <see cref="Sample"/>
/// and <see cref="ToDocument"/> only read the parameters and may run concurrently from several threads.
/// Training mutates the parameter arrays in place and must not run at the same time as anything else on the model.
/// </remarks>
public abstract class RbmBase : IFreeEnergyModel
{
    private IComputeBackend _backend = CpuBackend.Default;

    private protected RbmBase(int visible, int hidden, float[] weights, float[] visibleBias, float[] hiddenBias)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(visible);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hidden);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(visibleBias);
        ArgumentNullException.ThrowIfNull(hiddenBias);
        if (weights.Length != checked(visible * hidden)) throw new ArgumentException($"weights must hold {visible}x{hidden} values.", nameof(weights));
        if (visibleBias.Length != visible) throw new ArgumentException($"visibleBias must hold {visible} values.", nameof(visibleBias));
        if (hiddenBias.Length != hidden) throw new ArgumentException($"hiddenBias must hold {hidden} values.", nameof(hiddenBias));
        Visible = visible;
        Hidden = hidden;
        Weights = weights;
        VisibleBias = visibleBias;
        HiddenBias = hiddenBias;
    }

    /// <inheritdoc />
    public abstract string Kind { get; }

    /// <summary>Number of visible units (the input width).</summary>
    public int Visible { get; }

    /// <summary>Number of hidden units.</summary>
    public int Hidden { get; }

    /// <summary>The weights W, row-major [<see cref="Visible"/> x <see cref="Hidden"/>] (live storage).</summary>
    public float[] Weights { get; }

    /// <summary>The visible biases a [<see cref="Visible"/>] (live storage).</summary>
    public float[] VisibleBias { get; }

    /// <summary>The hidden biases b [<see cref="Hidden"/>] (live storage).</summary>
    public float[] HiddenBias { get; }

    /// <summary>An estimate of log Z recorded with the model (null when none was made). Not updated by training.</summary>
    public double? LogPartition { get; set; }

    /// <summary>Free-form facts saved with the model as hyperparameters (training settings, estimator used for log Z).</summary>
    public IDictionary<string, string> Annotations { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The backend used by the read-only operations. Default: <see cref="CpuBackend.Default"/>.</summary>
    public IComputeBackend Backend
    {
        get => _backend;
        set => _backend = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <inheritdoc />
    public int InputDimension => Visible;

    /// <inheritdoc />
    public int EncodedDimension => Hidden;

    /// <summary>p(h_j = 1 | v) for each row.</summary>
    public Matrix Encode(MatrixView data)
    {
        CheckWidth(data);
        var result = new Matrix(data.Rows, Hidden);
        HiddenProbabilities(Backend, data, result.Data, 1f);
        return result;
    }

    /// <summary>Mean-field reconstruction: v -> p(h|v) -> E[v | h = p(h|v)].</summary>
    public Matrix Reconstruct(MatrixView data)
    {
        CheckWidth(data);
        var hidden = new float[data.Rows * Hidden];
        HiddenProbabilities(Backend, data, hidden, 1f);
        var result = new Matrix(data.Rows, Visible);
        RbmKernels.HiddenToVisible(Backend, hidden, data.Rows, Weights, Visible, Hidden, result.Data);
        VisibleMean(Backend, result.Data, 0, data.Rows, 1f);
        return result;
    }

    /// <summary>The free energy F(v) = -log sum_h exp(-E(v, h)) of each row, in nats (accumulated in double).</summary>
    public float[] FreeEnergy(MatrixView data)
    {
        var result = new double[data.Rows];
        FreeEnergy(data, result);
        var f = new float[data.Rows];
        for (int i = 0; i < f.Length; i++) f[i] = (float)result[i];
        return f;
    }

    /// <summary>The free energy of each row in double precision, written to <paramref name="result"/>.</summary>
    public void FreeEnergy(MatrixView data, Span<double> result)
    {
        CheckWidth(data);
        if (result.Length < data.Rows) throw new ArgumentException("result is shorter than the number of rows.", nameof(result));
        int rows = data.Rows;
        using (var device = DeviceUse.Of(Backend, null))
        {
            if (device.Arrays is { } arrays)
            {
                // On a GPU: parameters uploaded once, rows in chunks, only the free energies come back (float precision per row).
                lock (arrays.Gate) DeviceRbmScoring.FreeEnergy(arrays, this, data, result);
                return;
            }
        }
        // The [rows x hidden] pre-activations come from the pool: a fresh array per call would cost page faults per batch.
        using var preactivation = new PooledBuffer(rows * Hidden);
        float[] pre = preactivation.Array;
        var scaled = ScaledVisible(data);
        RbmKernels.VisibleToHidden(Backend, scaled.Span, rows, Weights, Visible, Hidden, preactivation.Span);
        var values = new double[rows];
        Backend.For(rows, RbmKernels.Grain(Hidden + Visible), (start, end) =>
        {
            var scratch = new float[Hidden];
            for (int r = start; r < end; r++)
            {
                var row = pre.AsSpan(r * Hidden, Hidden);
                TensorPrimitives.Add(row, HiddenBias, row);
                values[r] = VisibleEnergy(data.Row(r)) - RbmKernels.SoftplusSumFast(row, scratch);
            }
        });
        values.AsSpan().CopyTo(result);
    }

    /// <summary>
    /// Draws <paramref name="count"/> visible samples by block-Gibbs sampling (see <see cref="RbmSamplingOptions"/>).
    /// The result depends only on the parameters and the options, not on the thread count.
    /// </summary>
    public Matrix Sample(int count, RbmSamplingOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        options ??= new RbmSamplingOptions();
        if (!(options.Temperature > 0) || !float.IsFinite(options.Temperature)) throw new ArgumentOutOfRangeException(nameof(options), "Temperature must be positive and finite.");
        if (options.BurnIn < 0 || options.Thinning < 1) throw new ArgumentOutOfRangeException(nameof(options), "BurnIn must be >= 0 and Thinning >= 1.");
        int chains = options.Chains <= 0 ? count : Math.Min(options.Chains, count);
        float beta = 1f / options.Temperature;
        var backend = Backend;
        var v = new float[chains * Visible];
        var h = new float[chains * Hidden];
        var mean = new float[chains * Visible];
        ulong seed = options.Seed;
        if (options.Initial is { } init)
        {
            if (init.Columns != Visible || init.Rows == 0) throw new ArgumentException($"Initial rows must have {Visible} columns.", nameof(options));
            for (int c = 0; c < chains; c++) init.Row(c % init.Rows).CopyTo(v.AsSpan(c * Visible, Visible));
        }
        else InitialVisible(v, chains, seed);

        var result = new Matrix(count, Visible);
        int taken = 0;
        long step = 0;
        int stepsToNext = Math.Max(1, options.BurnIn);
        if (options.BurnIn == 0 && options.Initial is not null) stepsToNext = 1;
        while (taken < count)
        {
            for (int s = 0; s < stepsToNext; s++, step++)
            {
                HiddenProbabilities(backend, new MatrixView(v, 0, chains, Visible), h, beta);
                RbmKernels.SampleBernoulli(backend, h, 0, h, 0, chains, Hidden, seed, RbmKernels.Stream(0x5A_01, (ulong)step));
                RbmKernels.HiddenToVisible(backend, h, chains, Weights, Visible, Hidden, mean);
                VisibleMean(backend, mean, 0, chains, beta);
                SampleVisible(backend, mean, 0, v, 0, chains, seed, RbmKernels.Stream(0x5A_02, (ulong)step), options.Temperature);
            }
            int take = Math.Min(chains, count - taken);
            (options.ReturnMeans ? mean : v).AsSpan(0, take * Visible).CopyTo(result.Data.AsSpan(taken * Visible));
            taken += take;
            stepsToNext = options.Thinning;
        }
        return result;
    }

    /// <summary>The model as a document for <see cref="ModelFile"/> (tensors per the shared naming contract).</summary>
    public ModelDocument ToDocument()
    {
        var hp = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in Annotations) hp[k] = v;
        hp["visible"] = Visible.ToString(CultureInfo.InvariantCulture);
        hp["hidden"] = Hidden.ToString(CultureInfo.InvariantCulture);
        if (LogPartition is { } z) hp["log_partition"] = z.ToString("R", CultureInfo.InvariantCulture);
        else hp.Remove("log_partition");
        var tensors = new List<NamedTensor>
        {
            new("weights", [Visible, Hidden], (float[])Weights.Clone()),
            new("visible_bias", [Visible], (float[])VisibleBias.Clone()),
            new("hidden_bias", [Hidden], (float[])HiddenBias.Clone()),
        };
        AddTensors(tensors);
        return new ModelDocument(Kind, hp, tensors);
    }

    /// <summary>Rebuilds a Bernoulli or Gaussian RBM from a document, by its kind.</summary>
    public static RbmBase FromDocument(ModelDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return document.Kind switch
        {
            ModelKinds.BernoulliRbm => BernoulliRbm.FromDocument(document),
            ModelKinds.GaussianRbm => GaussianRbm.FromDocument(document),
            _ => throw new ModelFileException($"model kind '{document.Kind}' is not an RBM."),
        };
    }

    /// <summary>A deep copy (parameters, log Z and annotations).</summary>
    public RbmBase Clone()
    {
        var copy = FromDocument(ToDocument());
        copy.Backend = Backend;
        return copy;
    }

    private protected static (int Visible, int Hidden, float[] W, float[] A, float[] B) ReadShared(ModelDocument document, string kind)
    {
        if (document.Kind != kind) throw new ModelFileException($"expected a {kind} model, found '{document.Kind}'.");
        int visible = ParseCount(document, "visible");
        int hidden = ParseCount(document, "hidden");
        var w = (float[])document.Tensor("weights", visible, hidden).Clone();
        var a = (float[])document.Tensor("visible_bias", visible).Clone();
        var b = (float[])document.Tensor("hidden_bias", hidden).Clone();
        foreach (var (name, t) in new[] { ("weights", w), ("visible_bias", a), ("hidden_bias", b) })
            if (!RbmKernels.IsSane(t, float.MaxValue)) throw new ModelFileException($"tensor '{name}' holds NaN or infinite values.");
        return (visible, hidden, w, a, b);
    }

    private protected void ReadCommon(ModelDocument document)
    {
        foreach (var (k, v) in document.Hyperparameters)
            if (k is not ("visible" or "hidden" or "log_partition")) Annotations[k] = v;
        if (document.Hyperparameters.TryGetValue("log_partition", out var z))
        {
            if (!double.TryParse(z, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                throw new ModelFileException($"hyperparameter 'log_partition' is not a finite number ('{z}').");
            LogPartition = value;
        }
    }

    private static int ParseCount(ModelDocument document, string name)
    {
        var s = document.Hyperparameter(name);
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n <= 0)
            throw new ModelFileException($"hyperparameter '{name}' must be a positive integer (got '{s}').");
        return n;
    }

    private protected void CheckWidth(MatrixView data)
    {
        if (data.Columns != Visible)
            throw new DataFormatException($"rows have {data.Columns} columns but the model has {Visible} visible units.");
    }

    // ---- model-specific pieces (internal so the trainer and estimators can share them) ----

    /// <summary>Adds model-specific tensors to a document.</summary>
    private protected abstract void AddTensors(List<NamedTensor> tensors);

    /// <summary>The visible part of the energy of one row (double precision).</summary>
    internal abstract double VisibleEnergy(ReadOnlySpan<float> v);

    /// <summary>True when the hidden layer sees the visible values rescaled (Gaussian RBM: v / sigma).</summary>
    internal abstract bool ScalesVisible { get; }

    /// <summary>x = visible values as the hidden layer sees them (in place allowed).</summary>
    internal abstract void ScaleVisible(IComputeBackend backend, float[] source, int sourceOffset, float[] destination, int destinationOffset, int rows);

    /// <summary>In place over rows: turns h W^T into the visible mean at inverse temperature <paramref name="beta"/>.</summary>
    internal abstract void VisibleMean(IComputeBackend backend, float[] matrix, int offset, int rows, float beta);

    /// <summary>Draws visible values given their means (thread-count independent).</summary>
    internal abstract void SampleVisible(IComputeBackend backend, float[] mean, int meanOffset, float[] output, int outputOffset, int rows, ulong seed, ulong stream, float temperature);

    /// <summary>Checks training/scoring data for this model, throwing <see cref="DataFormatException"/> with row and column.</summary>
    public abstract void ValidateData(MatrixView data, string? source = null);

    /// <summary>Fills initial chain states for sampling.</summary>
    private protected abstract void InitialVisible(float[] v, int rows, ulong seed);

    /// <summary>p(h=1|v) at inverse temperature <paramref name="beta"/> into <paramref name="output"/> [rows x H].</summary>
    internal void HiddenProbabilities(IComputeBackend backend, MatrixView data, float[] output, float beta)
    {
        var scaled = ScaledVisible(data);
        RbmKernels.VisibleToHidden(backend, scaled.Span, data.Rows, Weights, Visible, Hidden, output);
        RbmKernels.BiasSigmoid(backend, output, 0, data.Rows, HiddenBias, beta);
    }

    private MatrixView ScaledVisible(MatrixView data)
    {
        if (!ScalesVisible) return data;
        var copy = new float[data.Rows * Visible];
        ScaleVisible(Backend, data.Array, data.Offset, copy, 0, data.Rows);
        return new MatrixView(copy, 0, data.Rows, Visible);
    }
}

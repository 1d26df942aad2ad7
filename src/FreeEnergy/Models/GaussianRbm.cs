using FreeEnergy.Compute;
using FreeEnergy.Compute.Random;
using FreeEnergy.Persistence;
using FreeEnergy.Tensors;

namespace FreeEnergy.Models;

/// <summary>
/// A Gaussian-Bernoulli RBM for real-valued data:
/// E(v,h) = sum_i (v_i - a_i)^2 / (2 sigma_i^2) - b.h - sum_ij (v_i / sigma_i) W_ij h_j,
/// F(v) = sum_i (v_i - a_i)^2 / (2 sigma_i^2) - sum_j softplus(b_j + sum_i (v_i / sigma_i) W_ij),
/// p(v_i | h) = Normal(a_i + sigma_i (W h)_i, sigma_i^2).
/// The data should be standardised (zero mean, unit variance per column) before training; sigma is fixed at 1
/// unless training learns it. Read-only operations are thread-safe (see <see cref="RbmBase"/>).
/// </summary>
public sealed class GaussianRbm : RbmBase
{
    /// <summary>Creates a model with zero weights and biases and every sigma equal to 1.</summary>
    public GaussianRbm(int visible, int hidden)
        : this(visible, hidden, new float[checked(visible * hidden)], new float[visible], new float[hidden], Ones(visible)) { }

    /// <summary>Creates a model from parameter arrays (used as given, not copied); every sigma must be positive and finite.</summary>
    public GaussianRbm(int visible, int hidden, float[] weights, float[] visibleBias, float[] hiddenBias, float[] visibleSigma)
        : base(visible, hidden, weights, visibleBias, hiddenBias)
    {
        ArgumentNullException.ThrowIfNull(visibleSigma);
        if (visibleSigma.Length != visible) throw new ArgumentException($"visibleSigma must hold {visible} values.", nameof(visibleSigma));
        foreach (var s in visibleSigma)
            if (!(s > 0) || !float.IsFinite(s)) throw new ArgumentException("Every sigma must be positive and finite.", nameof(visibleSigma));
        VisibleSigma = visibleSigma;
    }

    /// <inheritdoc />
    public override string Kind => ModelKinds.GaussianRbm;

    /// <summary>The per-visible standard deviations sigma_i [<see cref="RbmBase.Visible"/>] (live storage).</summary>
    public float[] VisibleSigma { get; }

    /// <summary>Rebuilds a model from a <see cref="ModelDocument"/>; a clear <see cref="ModelFileException"/> when it does not fit.</summary>
    public static new GaussianRbm FromDocument(ModelDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var (d, h, w, a, b) = ReadShared(document, ModelKinds.GaussianRbm);
        var sigma = (float[])document.Tensor("visible_sigma", d).Clone();
        foreach (var s in sigma)
            if (!(s > 0) || !float.IsFinite(s)) throw new ModelFileException("tensor 'visible_sigma' must hold positive finite values.");
        var model = new GaussianRbm(d, h, w, a, b, sigma);
        model.ReadCommon(document);
        return model;
    }

    /// <summary>
    /// The largest magnitude <see cref="ValidateData"/> accepts (1e6, the same as the training divergence limit
    /// <see cref="Training.RbmTrainingOptions.DivergenceLimit"/>'s default): values beyond it mean unstandardised
    /// or corrupt data, which would only diverge in training and give meaningless free energies.
    /// </summary>
    public const float MaxMagnitude = 1e6f;

    /// <summary>
    /// Accepts finite values up to <see cref="MaxMagnitude"/> in magnitude; NaN, infinities and larger values are a
    /// <see cref="DataFormatException"/> naming row and column. Standardise the data first: the model assumes unit-scale
    /// columns. Constant columns are allowed.
    /// </summary>
    public override void ValidateData(MatrixView data, string? source = null)
    {
        CheckWidth(data);
        for (int r = 0; r < data.Rows; r++)
        {
            var row = data.Row(r);
            for (int c = 0; c < row.Length; c++)
            {
                float x = row[c];
                if (!float.IsFinite(x))
                    throw new DataFormatException($"value {x} is not finite.", source, r + 1, c + 1);
                if (MathF.Abs(x) > MaxMagnitude)
                    throw new DataFormatException($"value {x:G6} is larger in magnitude than {MaxMagnitude:G3}; a Gaussian RBM needs standardised data (zero mean, unit variance per column).", source, r + 1, c + 1);
            }
        }
    }

    private protected override void AddTensors(List<NamedTensor> tensors)
        => tensors.Add(new NamedTensor("visible_sigma", [Visible], (float[])VisibleSigma.Clone()));

    internal override double VisibleEnergy(ReadOnlySpan<float> v)
    {
        double s = 0;
        var a = VisibleBias;
        var sigma = VisibleSigma;
        for (int i = 0; i < v.Length; i++)
        {
            double d = ((double)v[i] - a[i]) / sigma[i];
            s += 0.5 * d * d;
        }
        return s;
    }

    internal override bool ScalesVisible => true;

    internal override void ScaleVisible(IComputeBackend backend, float[] source, int sourceOffset, float[] destination, int destinationOffset, int rows)
    {
        int d = Visible;
        var sigma = VisibleSigma;
        backend.For(rows, RbmKernels.Grain(d), (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var src = source.AsSpan(sourceOffset + r * d, d);
                var dst = destination.AsSpan(destinationOffset + r * d, d);
                System.Numerics.Tensors.TensorPrimitives.Divide(src, sigma, dst);
            }
        });
    }

    internal override void VisibleMean(IComputeBackend backend, float[] matrix, int offset, int rows, float beta)
    {
        int d = Visible;
        var sigma = VisibleSigma;
        var a = VisibleBias;
        backend.For(rows, RbmKernels.Grain(d), (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var row = matrix.AsSpan(offset + r * d, d);
                System.Numerics.Tensors.TensorPrimitives.FusedMultiplyAdd(row, sigma, a, row);
            }
        });
    }

    internal override void SampleVisible(IComputeBackend backend, float[] mean, int meanOffset, float[] output, int outputOffset, int rows, ulong seed, ulong stream, float temperature)
    {
        int d = Visible;
        var sigma = VisibleSigma;
        float scale = MathF.Sqrt(temperature);
        backend.For(rows, RbmKernels.Grain(d), (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var dst = output.AsSpan(outputOffset + r * d, d);
                var m = mean.AsSpan(meanOffset + r * d, d);
                if (mean == output && meanOffset == outputOffset) throw new InvalidOperationException("Gaussian sampling needs separate mean and output buffers.");
                Philox.FillGaussian(seed, stream, (ulong)r * (ulong)d, dst);
                for (int i = 0; i < d; i++) dst[i] = m[i] + scale * sigma[i] * dst[i];
            }
        });
    }

    private protected override void InitialVisible(float[] v, int rows, ulong seed)
    {
        Philox.FillGaussian(seed, RbmKernels.Stream(0x5A_00, 0), 0, v.AsSpan(0, rows * Visible));
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < Visible; i++) v[r * Visible + i] = VisibleBias[i] + VisibleSigma[i] * v[r * Visible + i];
    }

    private static float[] Ones(int n)
    {
        var x = new float[n];
        Array.Fill(x, 1f);
        return x;
    }
}

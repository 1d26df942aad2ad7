using System.Numerics.Tensors;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Random;
using FreeEnergy.Persistence;
using FreeEnergy.Tensors;

namespace FreeEnergy.Models;

/// <summary>
/// A Bernoulli-Bernoulli RBM: E(v,h) = -a.v - b.h - v^T W h with v in {0,1}^D (probabilities in [0,1] accepted)
/// and h in {0,1}^H. F(v) = -a.v - sum_j softplus(b_j + (v^T W)_j).
/// Read-only operations are thread-safe (see <see cref="RbmBase"/>).
/// </summary>
public sealed class BernoulliRbm : RbmBase
{
    /// <summary>Creates a model with all parameters zero.</summary>
    public BernoulliRbm(int visible, int hidden)
        : base(visible, hidden, new float[checked(visible * hidden)], new float[visible], new float[hidden]) { }

    /// <summary>Creates a model from parameter arrays (used as given, not copied): weights [visible x hidden], biases.</summary>
    public BernoulliRbm(int visible, int hidden, float[] weights, float[] visibleBias, float[] hiddenBias)
        : base(visible, hidden, weights, visibleBias, hiddenBias) { }

    /// <inheritdoc />
    public override string Kind => ModelKinds.BernoulliRbm;

    /// <summary>Rebuilds a model from a <see cref="ModelDocument"/>; a clear <see cref="ModelFileException"/> when it does not fit.</summary>
    public static new BernoulliRbm FromDocument(ModelDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var (d, h, w, a, b) = ReadShared(document, ModelKinds.BernoulliRbm);
        var model = new BernoulliRbm(d, h, w, a, b);
        model.ReadCommon(document);
        return model;
    }

    /// <summary>
    /// Accepts values in [0, 1] only (binary data or probabilities); anything else, NaN and infinities included,
    /// is a <see cref="DataFormatException"/> naming the 1-based row and column.
    /// </summary>
    public override void ValidateData(MatrixView data, string? source = null)
    {
        CheckWidth(data);
        for (int r = 0; r < data.Rows; r++)
        {
            var row = data.Row(r);
            if (row.Length == 0) continue;
            float min = TensorPrimitives.Min(row), max = TensorPrimitives.Max(row);
            if (min >= 0f && max <= 1f) continue; // NaN fails both comparisons
            for (int c = 0; c < row.Length; c++)
            {
                float x = row[c];
                if (float.IsNaN(x) || float.IsInfinity(x))
                    throw new DataFormatException($"value {x} is not finite; a Bernoulli RBM needs values in [0, 1].", source, r + 1, c + 1);
                if (x < 0f || x > 1f)
                    throw new DataFormatException($"value {x} is outside [0, 1]; a Bernoulli RBM needs binary values or probabilities (scale or binarise the data, or use a Gaussian RBM for real values).", source, r + 1, c + 1);
            }
        }
    }

    private protected override void AddTensors(List<NamedTensor> tensors) { }

    internal override double VisibleEnergy(ReadOnlySpan<float> v)
    {
        double s = 0;
        var a = VisibleBias;
        for (int i = 0; i < v.Length; i++) s += (double)a[i] * v[i];
        return -s;
    }

    internal override bool ScalesVisible => false;

    internal override void ScaleVisible(IComputeBackend backend, float[] source, int sourceOffset, float[] destination, int destinationOffset, int rows)
    {
        if (source != destination || sourceOffset != destinationOffset)
            source.AsSpan(sourceOffset, rows * Visible).CopyTo(destination.AsSpan(destinationOffset));
    }

    internal override void VisibleMean(IComputeBackend backend, float[] matrix, int offset, int rows, float beta)
        => RbmKernels.BiasSigmoid(backend, matrix, offset, rows, VisibleBias, beta);

    internal override void SampleVisible(IComputeBackend backend, float[] mean, int meanOffset, float[] output, int outputOffset, int rows, ulong seed, ulong stream, float temperature)
        => RbmKernels.SampleBernoulli(backend, mean, meanOffset, output, outputOffset, rows, Visible, seed, stream);

    private protected override void InitialVisible(float[] v, int rows, ulong seed)
    {
        Philox.FillUniform(seed, RbmKernels.Stream(0x5A_00, 0), 0, v.AsSpan(0, rows * Visible));
        for (int i = 0; i < rows * Visible; i++) v[i] = v[i] < 0.5f ? 1f : 0f;
    }
}

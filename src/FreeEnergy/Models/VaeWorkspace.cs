using FreeEnergy.Compute;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.Models;

/// <summary>
/// The CPU engine's VAE passes: the <see cref="VaeNetwork"/> on the host seam over the model's own parameter vector
/// (GEMMs through the backend, fused with the bias and activation where it can), plus what only the CPU path does row
/// by row through <see cref="IComputeBackend.For"/>: the noise, the Bernoulli or Gaussian likelihood with its gradient
/// and the KL term in double precision, and the Gaussian decoder's log variance gradient. Row r of every buffer depends
/// only on row r of the input and noise, so results do not depend on the thread count (given a GEMM whose split does not
/// change the summation order).
/// </summary>
internal sealed partial class VaeWorkspace : EncoderDecoderWorkspace
{
    private readonly VaeLayout _layout;
    private readonly VaeNetwork _network;
    private readonly DeviceArray _x;
    private readonly Action<int, int> _lossBody;
    private float _scale;

    /// <param name="layout">The architecture.</param>
    /// <param name="parameters">The model's parameter vector (read in place).</param>
    /// <param name="backend">The backend whose GEMM and threads run the passes.</param>
    /// <param name="capacity">Most rows per pass.</param>
    /// <param name="training">Whether to hold the input rows and the gradient for <see cref="ForwardBackward"/>.</param>
    public VaeWorkspace(VaeLayout layout, float[] parameters, IComputeBackend backend, int capacity, bool training = false)
        : base(layout, layout.Latent, parameters, backend, capacity, training, holdsInput: training)
    {
        _layout = layout;
        _x = HostDeviceArrays.Wrap(X);
        _network = new VaeNetwork(new HostDeviceArrays(backend), layout, HostDeviceArrays.Wrap(parameters),
            training ? (DeviceSlice?)HostDeviceArrays.Wrap(Gradient) : null, capacity, capacity);
        Head = HostDeviceArrays.Data(_network.Head);
        Eps = HostDeviceArrays.Data(_network.Eps);
        Z = HostDeviceArrays.Data(_network.Z);
        Out = HostDeviceArrays.Data(_network.Out);
        Kl = new double[capacity];
        _lossBody = LossRows;
    }

    /// <summary>[cap, 2Z]: per row the latent mean then the latent log variance.</summary>
    public float[] Head { get; }
    public float[] Eps { get; }
    public float[] Z { get; }
    /// <inheritdoc />
    public override float[] PosteriorHead => Head;
    /// <inheritdoc />
    public override float[] Latent => Z;
    /// <inheritdoc />
    public override float[] Out { get; }
    /// <summary>Per row closed-form KL of the last training step.</summary>
    public double[] Kl { get; }

    /// <summary>The prior scale r used by the KL terms.</summary>
    public float PriorScale { get; set; } = 1f;

    /// <inheritdoc />
    public override void Encode(float[] x, int xOffset, int rows) => _network.Encode(HostDeviceArrays.Wrap(x).Slice(xOffset, rows * _layout.Input), rows);

    /// <inheritdoc />
    public override void Decode(int rows) => _network.Decode(rows);

    /// <summary>
    /// One training evaluation on the first <paramref name="rows"/> rows of <see cref="EncoderDecoderWorkspace.X"/> with noise in <see cref="Eps"/>:
    /// the objective is (1/rows) sum_r [-log p(x_r|z_r) + klWeight * KL_r]; its gradient is written to
    /// <see cref="EncoderDecoderWorkspace.Gradient"/> and per-row terms to <see cref="EncoderDecoderWorkspace.Reconstruction"/> and <see cref="Kl"/>.
    /// </summary>
    public void ForwardBackward(float[] theta, int rows, float klWeight)
    {
        var layout = _layout;
        var x = _x.Slice(0, rows * layout.Input);
        PrepareLikelihood(theta);
        _network.Forward(x, rows);
        _scale = 1f / rows;
        Backend.For(rows, Math.Max(1, 16384 / layout.Input), _lossBody);   // likelihood + its gradient in one pass; KL per row
        if (layout.Likelihood == VaeLikelihood.Gaussian)
        {
            var dlv = Gradient.AsSpan(layout.DecoderLogVarianceOffset, layout.Input);
            if (layout.LearnVariance) GaussianLogVarianceGradient(rows, dlv);
            else dlv.Clear();
        }
        _network.Backward(x, rows, klWeight / rows, PriorScale);
    }

    /// <summary>
    /// d/dlv_i of (1/B) sum_r -log p = (1/B) sum_r (1 - (x - m)^2 e^-lv) / 2. With g = (m - x) e^-lv / B already
    /// in <see cref="Out"/>, (x - m)^2 e^-lv = B^2 g^2 / e^-lv, so the sum needs only column sums of g^2.
    /// </summary>
    private void GaussianLogVarianceGradient(int rows, Span<float> dlv)
    {
        int d = _layout.Input;
        dlv.Clear();
        for (int r = 0; r < rows; r++)
        {
            var g = Out.AsSpan(r * d, d);
            for (int i = 0; i < d; i++) dlv[i] += g[i] * g[i];
        }
        float b = rows;
        for (int i = 0; i < d; i++) dlv[i] = 0.5f - 0.5f * b * dlv[i] / InverseVariance[i];
    }

    /// <summary>Eps row r: standard normals (seed, stream, index r * Z...).</summary>
    protected override void NoiseRows(int start, int end)
    {
        int z = _layout.Latent;
        Philox.FillGaussian(NoiseSeed, NoiseStream, (ulong)start * (ulong)z, Eps.AsSpan(start * z, (end - start) * z));
    }

    private void LossRows(int start, int end)
    {
        int d = _layout.Input, z = _layout.Latent;
        for (int r = start; r < end; r++)
        {
            var row = Out.AsSpan(r * d, d);
            var x = X.AsSpan(r * d, d);
            Reconstruction[r] = _layout.Likelihood == VaeLikelihood.Bernoulli
                ? VaeKernels.BernoulliRow(x, row, _scale)
                : VaeKernels.GaussianRow(x, row, InverseVariance, Variance.LogVarianceSum, _scale);
            var head = Head.AsSpan(r * 2 * z, 2 * z);
            Kl[r] = VaeKernels.Kl(head[..z], head[z..], PriorScale);
        }
    }
}

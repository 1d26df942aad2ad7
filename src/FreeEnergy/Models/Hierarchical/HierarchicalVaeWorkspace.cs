using System.Numerics.Tensors;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.Models;

/// <summary>
/// The CPU passes of a <see cref="HierarchicalVae"/> over up to <see cref="EncoderDecoderWorkspace.Capacity"/> (row, sample) pairs, on the host
/// seam with the layer types written once (<see cref="Mlp"/>): forward x -&gt; q(z1|x) -&gt; z1 = mu1 + sigma1 eps1 -&gt;
/// p(x|z1), z1 -&gt; q(z2|z1) -&gt; z2 = mu2 + sigma2 eps2 -&gt; p(z1|z2); the per-pair terms -log p(x|z1),
/// log q(z1|x) - log p(z1|z2), the closed-form KL(q(z2|z1) || N(0, I)) and the log ratio log q(z2|z1) - log p(z2); and
/// the backward pass of the ELBO (closed-form KL at the top) or of the importance-weighted bound (every level a
/// Monte-Carlo log ratio). Row r's pairs are r k .. r k + k - 1; every term of a pair depends only on that pair, so
/// results do not depend on the thread count.
/// </summary>
internal sealed class HierarchicalVaeWorkspace : EncoderDecoderWorkspace
{
    private readonly HierarchicalVaeLayout _layout;
    private readonly HierarchicalVaeNetwork _network;
    private readonly DeviceArray _x;
    private readonly float[] _pairScale, _topWeight, _logVarianceTerms;
    private readonly double[] _logWeights, _normalised;
    private readonly Action<int, int> _termsBody, _scaleBody;

    public HierarchicalVaeWorkspace(HierarchicalVaeLayout layout, float[] parameters, IComputeBackend backend, int capacity, bool training = false)
        : base(layout, layout.Latent1, parameters, backend, capacity, training, holdsInput: true)
    {
        _layout = layout;
        DeviceSlice? gradient = training ? HostDeviceArrays.Wrap(Gradient).Slice(0, Gradient.Length) : null;
        _network = new HierarchicalVaeNetwork(new HostDeviceArrays(backend), layout, HostDeviceArrays.Wrap(parameters), gradient, capacity);
        _x = HostDeviceArrays.Wrap(X);
        _pairScale = _network.PairScale is { } scale ? HostDeviceArrays.Data(scale) : [];
        _topWeight = _network.TopWeight is { } top ? HostDeviceArrays.Data(top) : [];
        _logVarianceTerms = training && layout.Likelihood == VaeLikelihood.Gaussian ? new float[capacity * layout.Input] : [];
        _logWeights = training ? new double[capacity] : [];
        _normalised = training ? new double[capacity] : [];
        Head1 = HostDeviceArrays.Data(_network.Head1);
        Eps1 = HostDeviceArrays.Data(_network.Eps1);
        Z1 = HostDeviceArrays.Data(_network.Z1);
        Out = HostDeviceArrays.Data(_network.Out);
        Head2 = HostDeviceArrays.Data(_network.Head2);
        Eps2 = HostDeviceArrays.Data(_network.Eps2);
        Z2 = HostDeviceArrays.Data(_network.Z2);
        PriorHead = HostDeviceArrays.Data(_network.PriorHead);
        LogRatio1 = new double[capacity];
        Kl2 = new double[capacity];
        LogRatio2 = new double[capacity];
        Bound = new double[capacity];
        _termsBody = TermRows;
        _scaleBody = ScaleRows;
    }

    /// <summary>[pairs, 2 Z1]: mu1 then log variance of q(z1|x).</summary>
    public float[] Head1 { get; }
    /// <summary>[pairs, Z1]: the standard normal draws of z1.</summary>
    public float[] Eps1 { get; }
    /// <summary>[pairs, Z1].</summary>
    public float[] Z1 { get; }
    /// <summary>[pairs, D]: the decoder's output (logits or means); after <see cref="Terms"/>, the likelihood's gradient.</summary>
    public override float[] Out { get; }
    /// <inheritdoc />
    public override float[] PosteriorHead => Head1;
    /// <inheritdoc />
    public override float[] Latent => Z1;
    /// <summary>[pairs, 2 Z2]: mu2 then log variance of q(z2|z1).</summary>
    public float[] Head2 { get; }
    /// <summary>[pairs, Z2]: the standard normal draws of z2.</summary>
    public float[] Eps2 { get; }
    /// <summary>[pairs, Z2].</summary>
    public float[] Z2 { get; }
    /// <summary>[pairs, 2 Z1]: mean then log variance of p(z1|z2).</summary>
    public float[] PriorHead { get; }

    /// <summary>Per pair log q(z1|x) - log p(z1|z2).</summary>
    public double[] LogRatio1 { get; }
    /// <summary>Per pair KL(q(z2|z1) || N(0, I)) in closed form.</summary>
    public double[] Kl2 { get; }
    /// <summary>Per pair log q(z2|z1) - log p(z2).</summary>
    public double[] LogRatio2 { get; }
    /// <summary>Per row the objective of the last <see cref="ForwardBackward"/>: the ELBO's F_q (k = 1) or the k-sample bound.</summary>
    public double[] Bound { get; }

    /// <summary>q(z1|x) of the first <paramref name="pairs"/> rows of <see cref="EncoderDecoderWorkspace.X"/> into <see cref="Head1"/>.</summary>
    public void Encode(int pairs) => _network.Encode(_x.Slice(0, pairs * _layout.Input), pairs);

    /// <summary>The decoder's output for the first <paramref name="pairs"/> rows of <see cref="Z1"/> into <see cref="Out"/>.</summary>
    public override void Decode(int pairs) => _network.Decode(pairs);

    /// <summary>Copies <paramref name="rows"/> rows of <paramref name="x"/> from element <paramref name="xOffset"/> into <see cref="EncoderDecoderWorkspace.X"/> and encodes them.</summary>
    public override void Encode(float[] x, int xOffset, int rows)
    {
        x.AsSpan(xOffset, rows * _layout.Input).CopyTo(X);
        Encode(rows);
    }

    /// <summary>The whole forward pass of <paramref name="pairs"/> pairs with the draws in <see cref="Eps1"/> and <see cref="Eps2"/>.</summary>
    public void Forward(int pairs)
    {
        Encode(pairs);
        ForwardFromPosterior(pairs);
    }

    /// <summary>The forward pass after q(z1|x): from the heads in <see cref="Head1"/> (encoded here or copied in by a scorer that encodes each row once).</summary>
    public void ForwardFromPosterior(int pairs) => _network.ForwardFromPosterior(pairs);

    /// <summary>
    /// After <see cref="Forward"/>: the four per-pair terms; <see cref="Out"/> becomes the gradient of -log p(x|z1) in the
    /// decoder's output (sigmoid(l) - x, or (m - x) e^-lv).
    /// </summary>
    public void Terms(int pairs) => Backend.For(pairs, Math.Max(1, 16384 / _layout.Input), _termsBody);

    /// <summary>
    /// One training evaluation of <paramref name="rows"/> rows held <paramref name="samples"/> times each in <see cref="EncoderDecoderWorkspace.X"/>
    /// (with their draws): for k = 1 the ELBO (1/B) sum_r [-log p(x|z1) + c1 (log q(z1|x) - log p(z1|z2)) + c2 KL2], for
    /// k &gt; 1 the bound (1/B) sum_r -log (1/k) sum_s w_rs with log w = -[-log p(x|z1) + c1 (log q(z1|x) - log p(z1|z2))
    /// + c2 (log q(z2|z1) - log p(z2))]; the gradient into <see cref="EncoderDecoderWorkspace.Gradient"/>, the objective per row into <see cref="Bound"/>.
    /// </summary>
    public void ForwardBackward(float[] theta, int rows, int samples, float klWeight1, float klWeight2)
    {
        var L = _layout;
        int pairs = rows * samples, d = L.Input;
        if (pairs > Capacity) throw new ArgumentOutOfRangeException(nameof(samples), $"{rows} rows x {samples} samples exceed the workspace's {Capacity} pairs.");
        PrepareLikelihood(theta);
        Forward(pairs);
        Terms(pairs);
        for (int r = 0; r < rows; r++)
        {
            if (samples == 1)
            {
                Bound[r] = Reconstruction[r] + klWeight1 * LogRatio1[r] + klWeight2 * Kl2[r];
                _pairScale[r] = 1f / rows;
                continue;
            }
            var logWeights = _logWeights.AsSpan(r * samples, samples);
            for (int s = 0; s < samples; s++)
            {
                int p = r * samples + s;
                logWeights[s] = -(Reconstruction[p] + klWeight1 * LogRatio1[p] + klWeight2 * LogRatio2[p]);
            }
            Bound[r] = ImportanceWeights.Normalise(logWeights, _normalised.AsSpan(r * samples, samples));
            for (int s = 0; s < samples; s++)
            {
                int p = r * samples + s;
                _pairScale[p] = (float)_normalised[p] / rows;
                _topWeight[p] = klWeight2 * _pairScale[p];
            }
        }
        Backend.For(pairs, Math.Max(1, 16384 / d), _scaleBody);
        if (L.Likelihood == VaeLikelihood.Gaussian)
        {
            var dlv = Gradient.AsSpan(L.DecoderLogVarianceOffset, d);
            dlv.Clear();
            if (L.LearnVariance)
                for (int p = 0; p < pairs; p++) TensorPrimitives.Add(dlv, _logVarianceTerms.AsSpan(p * d, d), dlv);
        }

        _network.Backward(_x.Slice(0, pairs * d), pairs, klWeight1, samples == 1 ? klWeight2 / rows : null);
    }

    /// <summary>Pair p's eps1 at Philox index p (Z1 + Z2) and its eps2 right after it.</summary>
    protected override void NoiseRows(int start, int end)
    {
        int z1 = _layout.Latent1, z2 = _layout.Latent2, width = z1 + z2;
        for (int p = start; p < end; p++)
        {
            ulong index = (ulong)p * (ulong)width;
            Philox.FillGaussian(NoiseSeed, NoiseStream, index, Eps1.AsSpan(p * z1, z1));
            Philox.FillGaussian(NoiseSeed, NoiseStream, index + (ulong)z1, Eps2.AsSpan(p * z2, z2));
        }
    }

    private void TermRows(int start, int end)
    {
        int d = _layout.Input, z1 = _layout.Latent1, z2 = _layout.Latent2;
        bool bernoulli = _layout.Likelihood == VaeLikelihood.Bernoulli;
        for (int p = start; p < end; p++)
        {
            var x = X.AsSpan(p * d, d);
            var o = Out.AsSpan(p * d, d);
            Reconstruction[p] = bernoulli ? VaeKernels.BernoulliRow(x, o, 1f) : VaeKernels.GaussianRow(x, o, Variance.InverseVariance, Variance.LogVarianceSum, 1f);
            LogRatio1[p] = HierarchicalVaeKernels.LogRatio(Z1.AsSpan(p * z1, z1), Head1.AsSpan(p * 2 * z1 + z1, z1), Eps1.AsSpan(p * z1, z1),
                PriorHead.AsSpan(p * 2 * z1, 2 * z1));
            var h2 = Head2.AsSpan(p * 2 * z2, 2 * z2);
            Kl2[p] = VaeKernels.Kl(h2[..z2], h2[z2..], 1f);
            LogRatio2[p] = VaeKernels.LogRatio(Z2.AsSpan(p * z2, z2), h2[z2..], Eps2.AsSpan(p * z2, z2), 1f);
        }
    }

    private void ScaleRows(int start, int end)
    {
        int d = _layout.Input;
        bool gaussian = _layout.Likelihood == VaeLikelihood.Gaussian && _layout.LearnVariance;
        for (int p = start; p < end; p++)
        {
            var g = Out.AsSpan(p * d, d);
            if (gaussian) VaeKernels.WeightedLogVarianceGradient(g, Variance.InverseVariance, _pairScale[p], _logVarianceTerms.AsSpan(p * d, d));
            TensorPrimitives.Multiply(g, _pairScale[p], g);
        }
    }
}

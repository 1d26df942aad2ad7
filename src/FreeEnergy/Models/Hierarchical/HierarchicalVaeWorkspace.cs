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
    private readonly IVaeDeviceOps _ops;
    private readonly Mlp _encoder1, _decoder, _encoder2, _prior;
    private readonly DeviceArray _x, _head1, _eps1, _z1, _out, _head2, _eps2, _z2, _priorHead;
    private readonly DeviceArray? _head1Grad, _z1Grad, _z1GradUpper, _head2Grad, _z2Grad, _priorHeadGrad, _weights2;
    private readonly float[] _pairScale, _logVarianceTerms;
    private readonly Action<int, int> _termsBody, _scaleBody, _priorBody, _head1Body;
    private float _klWeight1;

    public HierarchicalVaeWorkspace(HierarchicalVaeLayout layout, float[] parameters, IComputeBackend backend, int capacity, bool training = false)
        : base(layout, layout.Latent1, parameters, backend, capacity, training, holdsInput: true)
    {
        _layout = layout;
        var device = new HostDeviceArrays(backend);
        _ops = device.Ops<IVaeDeviceOps>();
        var owned = new List<DeviceArray>();
        var theta = HostDeviceArrays.Wrap(parameters).Slice(0, parameters.Length);
        DeviceSlice? gradient = training ? HostDeviceArrays.Wrap(Gradient).Slice(0, Gradient.Length) : null;
        _encoder1 = new Mlp(device, layout.Encoder1, layout.Head1, layout.Activation, theta, gradient, capacity, owned);
        _decoder = new Mlp(device, layout.Decoder, layout.Output, layout.Activation, theta, gradient, capacity, owned);
        _encoder2 = new Mlp(device, layout.Encoder2, layout.Head2, layout.Activation, theta, gradient, capacity, owned);
        _prior = new Mlp(device, layout.Prior, layout.PriorHead, layout.Activation, theta, gradient, capacity, owned);
        int d = layout.Input, z1 = layout.Latent1, z2 = layout.Latent2;
        DeviceArray Own(int perRow) => HostDeviceArrays.Wrap(new float[capacity * perRow]);
        _x = HostDeviceArrays.Wrap(X); _head1 = Own(2 * z1); _eps1 = Own(z1); _z1 = Own(z1); _out = Own(d);
        _head2 = Own(2 * z2); _eps2 = Own(z2); _z2 = Own(z2); _priorHead = Own(2 * z1);
        if (training)
        {
            _head1Grad = Own(2 * z1); _z1Grad = Own(z1); _z1GradUpper = Own(z1); _head2Grad = Own(2 * z2); _z2Grad = Own(z2);
            _priorHeadGrad = Own(2 * z1); _weights2 = Own(1);
        }
        _pairScale = new float[capacity];
        _logVarianceTerms = training && layout.Likelihood == VaeLikelihood.Gaussian ? new float[capacity * d] : [];
        Head1 = HostDeviceArrays.Data(_head1);
        Eps1 = HostDeviceArrays.Data(_eps1);
        Z1 = HostDeviceArrays.Data(_z1);
        Out = HostDeviceArrays.Data(_out);
        Head2 = HostDeviceArrays.Data(_head2);
        Eps2 = HostDeviceArrays.Data(_eps2);
        Z2 = HostDeviceArrays.Data(_z2);
        PriorHead = HostDeviceArrays.Data(_priorHead);
        LogRatio1 = new double[capacity];
        Kl2 = new double[capacity];
        LogRatio2 = new double[capacity];
        Bound = new double[capacity];
        _termsBody = TermRows;
        _scaleBody = ScaleRows;
        _priorBody = PriorRows;
        _head1Body = Head1Rows;
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
    public void Encode(int pairs) => _encoder1.Forward(_x.Slice(0, pairs * _layout.Input), pairs, _head1.Slice(0, pairs * 2 * _layout.Latent1));

    /// <summary>The decoder's output for the first <paramref name="pairs"/> rows of <see cref="Z1"/> into <see cref="Out"/>.</summary>
    public override void Decode(int pairs) => _decoder.Forward(_z1.Slice(0, pairs * _layout.Latent1), pairs, _out.Slice(0, pairs * _layout.Input));

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
    public void ForwardFromPosterior(int pairs)
    {
        int z1 = _layout.Latent1, z2 = _layout.Latent2;
        _ops.Reparameterize(_head1.Slice(0, pairs * 2 * z1), _eps1.Slice(0, pairs * z1), _z1.Slice(0, pairs * z1), pairs, z1);
        Decode(pairs);
        _encoder2.Forward(_z1.Slice(0, pairs * z1), pairs, _head2.Slice(0, pairs * 2 * z2));
        _ops.Reparameterize(_head2.Slice(0, pairs * 2 * z2), _eps2.Slice(0, pairs * z2), _z2.Slice(0, pairs * z2), pairs, z2);
        _prior.Forward(_z2.Slice(0, pairs * z2), pairs, _priorHead.Slice(0, pairs * 2 * z1));
    }

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
        int pairs = rows * samples, d = L.Input, z1 = L.Latent1, z2 = L.Latent2;
        if (pairs > Capacity) throw new ArgumentOutOfRangeException(nameof(samples), $"{rows} rows x {samples} samples exceed the workspace's {Capacity} pairs.");
        PrepareLikelihood(theta);
        Forward(pairs);
        Terms(pairs);
        var weights2 = HostDeviceArrays.Data(_weights2!);
        for (int r = 0; r < rows; r++)
        {
            if (samples == 1)
            {
                Bound[r] = Reconstruction[r] + klWeight1 * LogRatio1[r] + klWeight2 * Kl2[r];
                _pairScale[r] = 1f / rows;
                continue;
            }
            double max = double.NegativeInfinity;
            for (int s = 0; s < samples; s++) max = Math.Max(max, LogWeight(r * samples + s, klWeight1, klWeight2));
            double sum = 0;
            for (int s = 0; s < samples; s++) sum += Math.Exp(LogWeight(r * samples + s, klWeight1, klWeight2) - max);
            Bound[r] = -(max + Math.Log(sum / samples));
            for (int s = 0; s < samples; s++)
            {
                int p = r * samples + s;
                _pairScale[p] = (float)(Math.Exp(LogWeight(p, klWeight1, klWeight2) - max) / sum) / rows;
                weights2[p] = klWeight2 * _pairScale[p];
            }
        }
        _klWeight1 = klWeight1;
        Backend.For(pairs, Math.Max(1, 16384 / d), _scaleBody);
        if (L.Likelihood == VaeLikelihood.Gaussian)
        {
            var dlv = Gradient.AsSpan(L.DecoderLogVarianceOffset, d);
            dlv.Clear();
            if (L.LearnVariance)
                for (int p = 0; p < pairs; p++) TensorPrimitives.Add(dlv, _logVarianceTerms.AsSpan(p * d, d), dlv);
        }

        // p(x|z1): dL/dz1 from the decoder.
        var z1Grad = _z1Grad!.Slice(0, pairs * z1);
        _decoder.Backward(_z1.Slice(0, pairs * z1), _out.Slice(0, pairs * d), pairs, z1Grad);
        // p(z1|z2): its head's gradient, and the direct dL/dz1 added to the decoder's.
        Backend.For(pairs, Math.Max(1, 2048 / z1), _priorBody);
        var z2Grad = _z2Grad!.Slice(0, pairs * z2);
        _prior.Backward(_z2.Slice(0, pairs * z2), _priorHeadGrad!.Slice(0, pairs * 2 * z1), pairs, z2Grad);
        // q(z2|z1) with the top level's KL (closed form) or log ratio (Monte Carlo), then dL/dz1 through the upper encoder.
        var head2 = _head2.Slice(0, pairs * 2 * z2);
        var head2Grad = _head2Grad!.Slice(0, pairs * 2 * z2);
        if (samples == 1) _ops.HeadBackward(head2, _eps2.Slice(0, pairs * z2), z2Grad, head2Grad, pairs, z2, klWeight2 / rows, 1f);
        else _ops.ImportanceHeadBackward(head2, _eps2.Slice(0, pairs * z2), _z2.Slice(0, pairs * z2), z2Grad, _weights2!.Slice(0, pairs), head2Grad, pairs, z2, 1f);
        _encoder2.Backward(_z1.Slice(0, pairs * z1), head2Grad, pairs, _z1GradUpper!.Slice(0, pairs * z1));
        // q(z1|x): dmu1 = dz1, dlv1 = dz1 eps1 sigma1 / 2 - c1 / 2 (the log q term), then the lower encoder.
        Backend.For(pairs, Math.Max(1, 2048 / z1), _head1Body);
        _encoder1.Backward(_x.Slice(0, pairs * d), _head1Grad!.Slice(0, pairs * 2 * z1), pairs, null);
    }

    private double LogWeight(int p, float klWeight1, float klWeight2) => -(Reconstruction[p] + klWeight1 * LogRatio1[p] + klWeight2 * LogRatio2[p]);

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

    private void PriorRows(int start, int end)
    {
        int z1 = _layout.Latent1;
        var grad = HostDeviceArrays.Data(_priorHeadGrad!);
        var dz = HostDeviceArrays.Data(_z1Grad!);
        for (int p = start; p < end; p++)
            HierarchicalVaeKernels.PriorBackward(Z1.AsSpan(p * z1, z1), PriorHead.AsSpan(p * 2 * z1, 2 * z1), _klWeight1 * _pairScale[p],
                grad.AsSpan(p * 2 * z1, 2 * z1), dz.AsSpan(p * z1, z1));
    }

    private void Head1Rows(int start, int end)
    {
        int z1 = _layout.Latent1;
        var grad = HostDeviceArrays.Data(_head1Grad!);
        var dz = HostDeviceArrays.Data(_z1Grad!);
        var upper = HostDeviceArrays.Data(_z1GradUpper!);
        for (int p = start; p < end; p++)
        {
            var g = dz.AsSpan(p * z1, z1);
            TensorPrimitives.Add(g, upper.AsSpan(p * z1, z1), g);
            HierarchicalVaeKernels.PosteriorHeadBackward(Head1.AsSpan(p * 2 * z1, 2 * z1), Eps1.AsSpan(p * z1, z1), g, _klWeight1 * _pairScale[p],
                grad.AsSpan(p * 2 * z1, 2 * z1));
        }
    }
}

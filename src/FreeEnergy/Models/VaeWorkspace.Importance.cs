using FreeEnergy.Compute.Device;

namespace FreeEnergy.Models;

/// <summary>
/// The importance-weighted (IWAE) training evaluation of Burda, Grosse and Salakhutdinov (2016): each of B rows is
/// held k times in <see cref="EncoderDecoderWorkspace.X"/> (row r's copies at r k .. r k + k - 1, each with its own draw in <see cref="Eps"/>),
/// log w_rs = -[-log p(x_r|z_rs) + c (log q(z_rs|x_r) - log p(z_rs))] with c the KL weight, and the objective
/// (1/B) sum_r -log (1/k) sum_s w_rs. Its reparameterised gradient is (1/B) sum_r sum_s w~_rs d(-log w_rs) with the
/// normalised weights w~_rs = w_rs / sum_s' w_rs', so every (row, sample) pair runs backward as one row of the batch
/// scaled by its w~ (the encoder's gradient sums over a row's copies).
/// </summary>
internal sealed partial class VaeWorkspace
{
    private int _samples;
    private float _klWeight;
    private Action<int, int>? _importanceBody;
    private float[] _weights = [], _logVarianceTerms = [];
    private double[] _logWeights = [], _normalised = [];

    /// <summary>Per row the importance-weighted bound -log (1/k) sum_s w_s of the last <see cref="ForwardBackwardImportanceWeighted"/>.</summary>
    public double[] ImportanceBound { get; private set; } = [];

    /// <summary>
    /// One importance-weighted training evaluation of <paramref name="rows"/> rows held <paramref name="samples"/> times
    /// each in <see cref="EncoderDecoderWorkspace.X"/>, with the draws in <see cref="Eps"/>: writes the gradient of the mean bound to
    /// <see cref="EncoderDecoderWorkspace.Gradient"/>, the bound per row to <see cref="ImportanceBound"/>, and per pair -log p(x|z) to
    /// <see cref="EncoderDecoderWorkspace.Reconstruction"/> and the log ratio log q(z|x) - log p(z) to <see cref="Kl"/>.
    /// </summary>
    public void ForwardBackwardImportanceWeighted(float[] theta, int rows, int samples, float klWeight)
    {
        var layout = _layout;
        int pairs = rows * samples;
        if (pairs > Capacity) throw new ArgumentOutOfRangeException(nameof(samples), $"{rows} rows x {samples} samples exceed the workspace's {Capacity} rows.");
        if (_weights.Length < Capacity)
        {
            _weights = new float[Capacity];
            _logWeights = new double[Capacity];
            _normalised = new double[Capacity];
            ImportanceBound = new double[Capacity];
            if (layout.Likelihood == VaeLikelihood.Gaussian) _logVarianceTerms = new float[Capacity * layout.Input];
        }
        var x = _x.Slice(0, pairs * layout.Input);
        PrepareLikelihood(theta);
        _network.Forward(x, pairs);
        _scale = 1f / rows;
        _samples = samples;
        _klWeight = klWeight;
        Backend.For(rows, Math.Max(1, 16384 / (layout.Input * samples)), _importanceBody ??= ImportanceRows);
        if (layout.Likelihood == VaeLikelihood.Gaussian)
        {
            var dlv = Gradient.AsSpan(layout.DecoderLogVarianceOffset, layout.Input);
            dlv.Clear();
            if (layout.LearnVariance)
                for (int p = 0; p < pairs; p++)
                {
                    var t = _logVarianceTerms.AsSpan(p * layout.Input, layout.Input);
                    for (int i = 0; i < t.Length; i++) dlv[i] += t[i];
                }
        }
        _network.BackwardImportanceWeighted(x, pairs, HostDeviceArrays.Wrap(_weights).Slice(0, pairs), PriorScale);
    }

    private void ImportanceRows(int start, int end)
    {
        int d = _layout.Input, z = _layout.Latent, k = _samples;
        bool bernoulli = _layout.Likelihood == VaeLikelihood.Bernoulli;
        for (int r = start; r < end; r++)
        {
            var logWeights = _logWeights.AsSpan(r * k, k);
            for (int s = 0; s < k; s++)
            {
                int p = r * k + s;
                var row = Out.AsSpan(p * d, d);
                var x = X.AsSpan(p * d, d);
                Reconstruction[p] = bernoulli
                    ? VaeKernels.BernoulliRow(x, row, 1f)
                    : VaeKernels.GaussianRow(x, row, InverseVariance, Variance.LogVarianceSum, 1f);
                var head = Head.AsSpan(p * 2 * z, 2 * z);
                Kl[p] = VaeKernels.LogRatio(Z.AsSpan(p * z, z), head[z..], Eps.AsSpan(p * z, z), PriorScale);
                logWeights[s] = -(Reconstruction[p] + _klWeight * Kl[p]);
            }
            ImportanceBound[r] = ImportanceWeights.Normalise(logWeights, _normalised.AsSpan(r * k, k));
            for (int s = 0; s < k; s++)
            {
                int p = r * k + s;
                float w = (float)_normalised[p] * _scale;
                var g = Out.AsSpan(p * d, d);
                if (!bernoulli)
                {
                    VaeKernels.WeightedLogVarianceGradient(g, InverseVariance, w, _logVarianceTerms.AsSpan(p * d, d));
                }
                System.Numerics.Tensors.TensorPrimitives.Multiply(g, w, g);
                _weights[p] = _klWeight * w;
            }
        }
    }
}

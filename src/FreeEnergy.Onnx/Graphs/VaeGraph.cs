using System.Globalization;
using FreeEnergy.Persistence;

namespace FreeEnergy.Onnx.Graphs;

/// <summary>
/// ONNX graphs of the VAE (DESIGN §3). Dense layers are x W + b with W [in,out]:
/// <list type="bullet">
/// <item>encode: h = act(... act(x W0 + b0) ...), latent_mean = h Wm + bm, latent_log_variance = h Wv + bv;</item>
/// <item>reconstruct: the decoder at the latent mean; sigmoid of the logits (Bernoulli) or the mean (Gaussian);</item>
/// <item>score: the deterministic F_q(x) = mean_k [-log p(x|z_k)] + (1/beta) KL(q(z|x) || N(0, r^2 I)) with
///   z_k = mu + exp(logvar/2) eps_k and eps = the stored "scoring_noise" [K,Z]: the K samples run through the
///   decoder at once as [N,K,Z]. Bernoulli: log p(x|z) = sum_d x_d l_d - softplus(l_d); Gaussian:
///   -1/2 sum_d [log 2 pi + lv_d + (x_d - m_d)^2 e^{-lv_d}] with lv = "decoder.log_variance".
///   KL = sum_z log r - logvar/2 + (mu^2 + e^logvar) / (2 r^2) - 1/2.</item>
/// </list>
/// </summary>
internal sealed class VaeGraph
{
    private readonly GraphBuilder _g;
    private readonly VaeLayout _layout;
    private readonly string _features;
    private readonly List<(string Weight, string Bias)> _encoder = new(), _decoder = new();
    private readonly (string Weight, string Bias) _mean, _logVariance, _output;
    private readonly string _noise;
    private readonly string? _decoderLogVariance;
    private readonly float[]? _decoderLogVarianceValues;
    private string? _latentMean, _latentLogVariance;

    private VaeGraph(GraphBuilder g, ModelDocument document)
    {
        _g = g;
        _layout = VaeLayout.Read(document);
        _features = InputRule.Apply(g, document, g.Input(OnnxNames.Features, null, _layout.Input));

        int width = _layout.Input;
        for (int i = 0; i < _layout.Encoder.Count; i++)
        {
            _encoder.Add(Dense(document, "encoder." + i.ToString(CultureInfo.InvariantCulture), width, _layout.Encoder[i]));
            width = _layout.Encoder[i];
        }
        _mean = Dense(document, "encoder.mean", width, _layout.Latent);
        _logVariance = Dense(document, "encoder.log_variance", width, _layout.Latent);

        width = _layout.Latent;
        for (int i = 0; i < _layout.Decoder.Count; i++)
        {
            _decoder.Add(Dense(document, "decoder." + i.ToString(CultureInfo.InvariantCulture), width, _layout.Decoder[i]));
            width = _layout.Decoder[i];
        }
        _output = Dense(document, "decoder.output", width, _layout.Input);
        _noise = g.Initializer("scoring_noise", document.Tensor("scoring_noise", _layout.Samples, _layout.Latent), _layout.Samples, _layout.Latent);
        if (_layout.Gaussian)
        {
            _decoderLogVarianceValues = document.Tensor("decoder.log_variance", _layout.Input);
            _decoderLogVariance = g.Initializer("decoder.log_variance", _decoderLogVarianceValues, _layout.Input);
        }
    }

    /// <summary>Adds the inputs, initializers, nodes and outputs of <paramref name="graph"/> to <paramref name="g"/>; returns the output names.</summary>
    public static IReadOnlyList<string> Build(GraphBuilder g, ModelDocument document, OnnxGraphKind graph)
    {
        var vae = new VaeGraph(g, document);
        var outputs = new List<string>();
        int z = vae._layout.Latent;
        if (graph is OnnxGraphKind.Encode or OnnxGraphKind.All)
        {
            g.Output(OnnxNames.LatentMean, vae.LatentMean(), null, z);
            g.Output(OnnxNames.LatentLogVariance, vae.LatentLogVariance(), null, z);
            outputs.Add(OnnxNames.LatentMean);
            outputs.Add(OnnxNames.LatentLogVariance);
        }
        if (graph is OnnxGraphKind.Reconstruct or OnnxGraphKind.All)
        {
            string decoded = vae.Decode(vae.LatentMean(), threeDimensional: false);
            g.Output(OnnxNames.Reconstruction, vae._layout.Gaussian ? decoded : g.Sigmoid(decoded), null, vae._layout.Input);
            outputs.Add(OnnxNames.Reconstruction);
        }
        if (graph is OnnxGraphKind.Score or OnnxGraphKind.All)
        {
            g.Output(OnnxNames.FreeEnergy, vae.FreeEnergy(), new long?[] { null });
            outputs.Add(OnnxNames.FreeEnergy);
        }
        return outputs;
    }

    private (string, string) Dense(ModelDocument document, string prefix, int inputs, int outputs)
        => (_g.Initializer(prefix + ".weight", document.Tensor(prefix + ".weight", inputs, outputs), inputs, outputs),
            _g.Initializer(prefix + ".bias", document.Tensor(prefix + ".bias", outputs), outputs));

    private string Activate(string x) => _layout.Activation switch
    {
        "relu" => _g.Relu(x),
        "tanh" => _g.Tanh(x),
        _ => _g.Softplus(x),
    };

    /// <summary>x W + b: Gemm on [N,in]; MatMul + Add on [N,K,in].</summary>
    private string Affine(string x, (string Weight, string Bias) layer, bool threeDimensional)
        => threeDimensional ? _g.Add(_g.MatMul(x, layer.Weight), layer.Bias) : _g.Gemm(x, layer.Weight, layer.Bias);

    private string EncoderTop()
    {
        string h = _features;
        foreach (var layer in _encoder) h = Activate(Affine(h, layer, false));
        return h;
    }

    private string LatentMean()
    {
        if (_latentMean is null) Encode();
        return _latentMean!;
    }

    private string LatentLogVariance()
    {
        if (_latentLogVariance is null) Encode();
        return _latentLogVariance!;
    }

    private void Encode()
    {
        string h = EncoderTop();
        _latentMean = Affine(h, _mean, false);
        _latentLogVariance = Affine(h, _logVariance, false);
    }

    /// <summary>Decoder output (logits or mean) for z of shape [N,Z] or [N,K,Z].</summary>
    private string Decode(string z, bool threeDimensional)
    {
        string h = z;
        foreach (var layer in _decoder) h = Activate(Affine(h, layer, threeDimensional));
        return Affine(h, _output, threeDimensional);
    }

    private string FreeEnergy()
    {
        var g = _g;
        int k = _layout.Samples;
        string mu = LatentMean(), logVariance = LatentLogVariance();

        // z_k = mu + exp(logvar / 2) * eps_k: [N,1,Z] + [N,1,Z] * [K,Z] -> [N,K,Z].
        string std = g.Exp(g.Mul(logVariance, g.Scalar(0.5f)));
        string z = g.Add(g.Unsqueeze(mu, 1), g.Mul(g.Unsqueeze(std, 1), _noise));
        string decoded = Decode(z, threeDimensional: true);
        string x = g.Unsqueeze(_features, 1);

        string reconstruction; // mean over k of -log p(x|z_k), [N]
        if (!_layout.Gaussian)
        {
            string logLikelihood = g.ReduceSum(g.Sub(g.Mul(x, decoded), g.Softplus(decoded)), 2); // [N,K]
            reconstruction = g.Mul(g.ReduceSum(logLikelihood, 1), g.Scalar((float)(-1.0 / k)));
        }
        else
        {
            string inverseVariance = g.Exp(g.Neg(_decoderLogVariance!));
            string residual = g.Sub(x, decoded);
            string weighted = g.ReduceSum(g.Mul(g.Mul(residual, residual), inverseVariance), 2); // [N,K]
            double constant = 0.5 * _layout.Input * Math.Log(2 * Math.PI);
            foreach (var lv in _decoderLogVarianceValues!) constant += 0.5 * lv;
            reconstruction = g.Add(g.Mul(g.ReduceSum(weighted, 1), g.Scalar((float)(0.5 / k))), g.Scalar((float)constant));
        }

        double r = _layout.PriorScale;
        string perDimension = g.Sub(
            g.Mul(g.Add(g.Mul(mu, mu), g.Exp(logVariance)), g.Scalar((float)(1.0 / (2 * r * r)))),
            g.Mul(logVariance, g.Scalar(0.5f)));
        string kl = g.Add(g.ReduceSum(perDimension, 1), g.Scalar((float)(_layout.Latent * (Math.Log(r) - 0.5))));
        return g.Add(reconstruction, g.Mul(kl, g.Scalar((float)(1.0 / _layout.Beta))));
    }
}

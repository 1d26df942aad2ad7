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
    private readonly DenseLayers _encoder, _decoder;
    private readonly (string Weight, string Bias) _mean, _logVariance, _output;
    private readonly string _noise;
    private readonly ObservationModel _observation;
    private string? _latentMean, _latentLogVariance;

    private VaeGraph(GraphBuilder g, ModelDocument document)
    {
        _g = g;
        _layout = VaeLayout.Read(document);
        _features = InputRule.Apply(g, document, g.Input(OnnxNames.Features, null, _layout.Input));
        _encoder = new DenseLayers(g, document, "encoder", _layout.Input, _layout.Encoder, _layout.Activation);
        _mean = DenseLayers.Read(g, document, "encoder.mean", _encoder.Width, _layout.Latent);
        _logVariance = DenseLayers.Read(g, document, "encoder.log_variance", _encoder.Width, _layout.Latent);
        _decoder = new DenseLayers(g, document, "decoder", _layout.Latent, _layout.Decoder, _layout.Activation);
        _output = DenseLayers.Read(g, document, "decoder.output", _decoder.Width, _layout.Input);
        _noise = g.Initializer("scoring_noise", document.Tensor("scoring_noise", _layout.Samples, _layout.Latent), _layout.Samples, _layout.Latent);
        _observation = new ObservationModel(g, document, _layout.Input, _layout.Gaussian);
    }

    /// <summary>Adds the inputs, initializers, nodes and outputs of <paramref name="graph"/> to <paramref name="g"/>; returns the output names.</summary>
    public static IReadOnlyList<string> Build(GraphBuilder g, ModelDocument document, OnnxGraphKind graph)
    {
        var vae = new VaeGraph(g, document);
        return VaeGraphOutputs.Declare(g, graph, vae._layout.Latent, vae._layout.Input, () => (vae.LatentMean(), vae.LatentLogVariance()),
            () => vae._observation.Mean(vae.Decode(vae.LatentMean(), threeDimensional: false)), vae.FreeEnergy);
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
        string h = _encoder.Forward(_features, false);
        _latentMean = DenseLayers.Affine(_g, h, _mean, false);
        _latentLogVariance = DenseLayers.Affine(_g, h, _logVariance, false);
    }

    /// <summary>Decoder output (logits or mean) for z of shape [N,Z] or [N,K,Z].</summary>
    private string Decode(string z, bool threeDimensional)
        => DenseLayers.Affine(_g, _decoder.Forward(z, threeDimensional), _output, threeDimensional);

    private string FreeEnergy()
    {
        var g = _g;
        string mu = LatentMean(), logVariance = LatentLogVariance();
        // z_k = mu + exp(logvar / 2) * eps_k: [N,1,Z] + [N,1,Z] * [K,Z] -> [N,K,Z].
        string z = GaussianGraphTerms.Reparameterize(g, g.Unsqueeze(mu, 1), g.Unsqueeze(logVariance, 1), _noise);
        string reconstruction = _observation.MeanNegativeLogLikelihood(g.Unsqueeze(_features, 1), Decode(z, threeDimensional: true), _layout.Samples);
        string kl = GaussianGraphTerms.KlToCentredNormal(g, mu, logVariance, _layout.PriorScale, _layout.Latent, axis: 1);
        return g.Add(reconstruction, g.Mul(kl, g.Scalar((float)(1.0 / _layout.Beta))));
    }
}

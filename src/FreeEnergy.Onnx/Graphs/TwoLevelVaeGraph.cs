using FreeEnergy.Persistence;

namespace FreeEnergy.Onnx.Graphs;

/// <summary>
/// ONNX graphs of the two-level VAE x &lt;- z1 &lt;- z2 (DESIGN §7), the engine's <c>HierarchicalVae</c>:
/// <list type="bullet">
/// <item>encode: <c>latent_mean</c> and <c>latent_log_variance</c> [N,Z1] of q(z1|x) (the halves of "encoder1.head");</item>
/// <item>reconstruct: the decoder at the mean of q(z1|x); sigmoid of the logits (Bernoulli) or the mean (Gaussian);</item>
/// <item>score: the deterministic F_q(x) over the stored "scoring_noise" [K, Z1 + Z2] (eps1 its first Z1 columns, eps2 the
///   rest), the K draws run at once as [N,K,..]: z1_k = mu1 + e^(lv1/2) eps1_k, z2_k = mu2(z1_k) + e^(lv2(z1_k)/2) eps2_k,
///   [m | v] = the prior network at z2_k, and F_q = mean_k [-log p(x|z1_k) + (1/beta1) (log q(z1_k|x) - log p(z1_k|z2_k))
///   + (1/beta2) KL(q(z2|z1_k) || N(0, I))] with log q(z1|x) - log p(z1|z2) = sum_j -lv1_j/2 - eps1_j^2/2 + v_j/2
///   + (z1_j - m_j)^2 e^-v_j / 2 (the 2 pi terms cancel; the eps1 term is a constant of the noise, summed at export).</item>
/// </list>
/// </summary>
internal sealed class TwoLevelVaeGraph
{
    private readonly GraphBuilder _g;
    private readonly TwoLevelVaeLayout _layout;
    private readonly string _features, _noise1, _noise2;
    private readonly DenseLayers _encoder1, _decoder, _encoder2, _prior;
    private readonly (string Weight, string Bias) _head1, _output, _head2, _priorHead;
    private readonly ObservationModel _observation;
    private readonly double _noise1Energy;
    private (string Mean, string LogVariance)? _posterior1;

    private TwoLevelVaeGraph(GraphBuilder g, ModelDocument document)
    {
        _g = g;
        var L = _layout = TwoLevelVaeLayout.Read(document);
        _features = InputRule.Apply(g, document, g.Input(OnnxNames.Features, null, L.Input));
        _encoder1 = new DenseLayers(g, document, "encoder1", L.Input, L.Encoder1, L.Activation);
        _head1 = DenseLayers.Read(g, document, "encoder1.head", _encoder1.Width, 2 * L.Latent1);
        _decoder = new DenseLayers(g, document, "decoder", L.Latent1, L.Decoder, L.Activation);
        _output = DenseLayers.Read(g, document, "decoder.output", _decoder.Width, L.Input);
        _encoder2 = new DenseLayers(g, document, "encoder2", L.Latent1, L.Encoder2, L.Activation);
        _head2 = DenseLayers.Read(g, document, "encoder2.head", _encoder2.Width, 2 * L.Latent2);
        _prior = new DenseLayers(g, document, "prior", L.Latent2, L.Prior, L.Activation);
        _priorHead = DenseLayers.Read(g, document, "prior.head", _prior.Width, 2 * L.Latent1);
        _observation = new ObservationModel(g, document, L.Input, L.Gaussian);

        int k = L.Samples, z1 = L.Latent1, z2 = L.Latent2, width = z1 + z2;
        var noise = document.Tensor("scoring_noise", k, width);
        var eps1 = new float[k * z1];
        var eps2 = new float[k * z2];
        for (int s = 0; s < k; s++)
        {
            noise.AsSpan(s * width, z1).CopyTo(eps1.AsSpan(s * z1));
            noise.AsSpan(s * width + z1, z2).CopyTo(eps2.AsSpan(s * z2));
        }
        _noise1 = g.Initializer("scoring_noise.lower", eps1, k, z1);
        _noise2 = g.Initializer("scoring_noise.upper", eps2, k, z2);
        foreach (var e in eps1) _noise1Energy += 0.5 * e * e;
        _noise1Energy /= k;
    }

    /// <summary>Adds the inputs, initializers, nodes and outputs of <paramref name="graph"/> to <paramref name="g"/>; returns the output names.</summary>
    public static IReadOnlyList<string> Build(GraphBuilder g, ModelDocument document, OnnxGraphKind graph)
    {
        var vae = new TwoLevelVaeGraph(g, document);
        return VaeGraphOutputs.Declare(g, graph, vae._layout.Latent1, vae._layout.Input, vae.Posterior1,
            () => vae._observation.Mean(vae.Decode(vae.Posterior1().Mean, threeDimensional: false)), vae.FreeEnergy);
    }

    /// <summary>Mean and log variance [N,Z1] of q(z1|x), built once.</summary>
    private (string Mean, string LogVariance) Posterior1()
    {
        _posterior1 ??= GaussianGraphTerms.SplitHead(_g, DenseLayers.Affine(_g, _encoder1.Forward(_features, false), _head1, false), _layout.Latent1, axis: 1);
        return _posterior1.Value;
    }

    /// <summary>Decoder output (logits or mean) for z1 of shape [N,Z1] or [N,K,Z1].</summary>
    private string Decode(string z1, bool threeDimensional)
        => DenseLayers.Affine(_g, _decoder.Forward(z1, threeDimensional), _output, threeDimensional);

    private string FreeEnergy()
    {
        var g = _g;
        var L = _layout;
        float perSample = (float)(1.0 / L.Samples);
        var (mu1, lv1) = Posterior1();
        // z1_k = mu1 + e^(lv1/2) eps1_k: [N,1,Z1] with [K,Z1] -> [N,K,Z1].
        string z1 = GaussianGraphTerms.Reparameterize(g, g.Unsqueeze(mu1, 1), g.Unsqueeze(lv1, 1), _noise1);
        string reconstruction = _observation.MeanNegativeLogLikelihood(g.Unsqueeze(_features, 1), Decode(z1, threeDimensional: true), L.Samples);

        // q(z2|z1_k) and z2_k = mu2 + e^(lv2/2) eps2_k, [N,K,Z2]; the top level's KL in closed form, averaged over k.
        var (mu2, lv2) = GaussianGraphTerms.SplitHead(g, DenseLayers.Affine(g, _encoder2.Forward(z1, true), _head2, true), L.Latent2, axis: 2);
        string z2 = GaussianGraphTerms.Reparameterize(g, mu2, lv2, _noise2);
        string kl2 = g.Mul(g.ReduceSum(GaussianGraphTerms.KlToCentredNormal(g, mu2, lv2, 1.0, L.Latent2, axis: 2), 1), g.Scalar(perSample));

        // log q(z1_k|x) - log p(z1_k|z2_k), averaged over k: -sum lv1/2 - mean_k sum eps1^2/2 + mean_k sum_j (v + (z1 - m)^2 e^-v) / 2.
        var (m, v) = GaussianGraphTerms.SplitHead(g, DenseLayers.Affine(g, _prior.Forward(z2, true), _priorHead, true), L.Latent1, axis: 2);
        string d = g.Sub(z1, m);
        string prior = g.ReduceSum(g.Add(v, g.Mul(g.Mul(d, d), g.Exp(g.Neg(v)))), 2); // [N,K]
        string posterior = g.ReduceSum(lv1, 1); // [N]
        string logRatio1 = g.Add(
            g.Mul(g.Sub(g.Mul(g.ReduceSum(prior, 1), g.Scalar(perSample)), posterior), g.Scalar(0.5f)),
            g.Scalar((float)-_noise1Energy));

        return g.Add(g.Add(reconstruction, g.Mul(logRatio1, g.Scalar((float)(1.0 / L.Beta)))), g.Mul(kl2, g.Scalar((float)(1.0 / L.UpperBeta))));
    }
}

using FreeEnergy.Persistence;

namespace FreeEnergy.Onnx.Graphs;

/// <summary>
/// p(x|z) of the VAE graphs on the decoder's output: Bernoulli logits l, or Gaussian means m with the per-pixel log
/// variance "decoder.log_variance" [D] of the model document. Bernoulli: log p(x|z) = sum_d x_d l_d - softplus(l_d);
/// Gaussian: -1/2 sum_d [log 2 pi + lv_d + (x_d - m_d)^2 e^{-lv_d}].
/// </summary>
internal sealed class ObservationModel
{
    private readonly GraphBuilder _g;
    private readonly string? _logVariance;
    private readonly double _constant;

    public ObservationModel(GraphBuilder g, ModelDocument document, int input, bool gaussian)
    {
        _g = g;
        if (!gaussian) return;
        var values = document.Tensor("decoder.log_variance", input);
        _logVariance = g.Initializer("decoder.log_variance", values, input);
        _constant = 0.5 * input * Math.Log(2 * Math.PI);
        foreach (var lv in values) _constant += 0.5 * lv;
    }

    /// <summary>The reconstruction from the decoder's output: sigmoid of the logits (Bernoulli) or the mean (Gaussian).</summary>
    public string Mean(string decoded) => _logVariance is null ? _g.Sigmoid(decoded) : decoded;

    /// <summary>mean_k -log p(x|z_k) [N] from <paramref name="x"/> [N,1,D] and the decoder's output [N,K,D] for K = <paramref name="samples"/>.</summary>
    public string MeanNegativeLogLikelihood(string x, string decoded, int samples)
    {
        var g = _g;
        if (_logVariance is null)
        {
            string logLikelihood = g.ReduceSum(g.Sub(g.Mul(x, decoded), g.Softplus(decoded)), 2); // [N,K]
            return g.Mul(g.ReduceSum(logLikelihood, 1), g.Scalar((float)(-1.0 / samples)));
        }
        string inverseVariance = g.Exp(g.Neg(_logVariance));
        string residual = g.Sub(x, decoded);
        string weighted = g.ReduceSum(g.Mul(g.Mul(residual, residual), inverseVariance), 2); // [N,K]
        return g.Add(g.Mul(g.ReduceSum(weighted, 1), g.Scalar((float)(0.5 / samples))), g.Scalar((float)_constant));
    }
}

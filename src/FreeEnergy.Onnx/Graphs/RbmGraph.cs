using FreeEnergy.Models;
using FreeEnergy.Persistence;
using Onnx;

namespace FreeEnergy.Onnx.Graphs;

/// <summary>
/// ONNX graphs of the Bernoulli and Gaussian-Bernoulli RBMs (DESIGN §3), from the model document's tensors
/// "weights" [D,H], "visible_bias" [D], "hidden_bias" [H] (and "visible_sigma" [D] for Gaussian):
/// <list type="bullet">
/// <item>hidden = sigmoid(b + u W) with u = v (Bernoulli) or v / sigma (Gaussian);</item>
/// <item>reconstruction = sigmoid(a + hidden W^T) (Bernoulli) or a + sigma * (hidden W^T) (Gaussian);</item>
/// <item>free_energy = -a.v - sum_j softplus(b + u W)_j (Bernoulli) or
///   sum_i (v_i - a_i)^2 / (2 sigma_i^2) - sum_j softplus(b + u W)_j (Gaussian), with the overflow-free softplus;</item>
/// <item>negative_log_likelihood = free_energy + log Z when the hyperparameter "log_partition" is present.</item>
/// </list>
/// </summary>
internal sealed class RbmGraph
{
    private readonly GraphBuilder _g;
    private readonly bool _gaussian;
    private readonly int _visible, _hidden;
    private readonly string _features, _weights, _visibleBias, _hiddenBias;
    private readonly string? _sigma;
    private readonly double? _logPartition;
    private string? _scaled, _preActivation, _hiddenProbabilities;

    private RbmGraph(GraphBuilder g, ModelDocument document)
    {
        _g = g;
        _gaussian = document.Kind == ModelKinds.GaussianRbm;
        (_visible, _hidden) = DocumentReading.Matrix(document, "weights");
        DocumentReading.CheckSize(document, "visible", _visible);
        DocumentReading.CheckSize(document, "hidden", _hidden);
        _logPartition = DocumentReading.OptionalNumber(document, "log_partition");

        _features = InputRule.Apply(g, document, g.Input(OnnxNames.Features, null, _visible));
        _weights = g.Initializer("weights", document.Tensor("weights", _visible, _hidden), _visible, _hidden);
        _visibleBias = g.Initializer("visible_bias", document.Tensor("visible_bias", _visible), _visible);
        _hiddenBias = g.Initializer("hidden_bias", document.Tensor("hidden_bias", _hidden), _hidden);
        if (_gaussian)
        {
            var sigma = document.Tensor("visible_sigma", _visible);
            foreach (var s in sigma)
                if (!(s > 0) || !float.IsFinite(s)) throw new ModelFileException($"tensor 'visible_sigma' of the {document.Kind} model holds {s}; every sigma must be positive and finite.");
            _sigma = g.Initializer("visible_sigma", sigma, _visible);
        }
    }

    /// <summary>Adds the inputs, initializers, nodes and outputs of <paramref name="graph"/> to <paramref name="g"/>; returns the output names.</summary>
    public static IReadOnlyList<string> Build(GraphBuilder g, ModelDocument document, OnnxGraphKind graph)
    {
        var rbm = new RbmGraph(g, document);
        var outputs = new List<string>();
        if (graph is OnnxGraphKind.Encode or OnnxGraphKind.All)
        {
            g.Output(OnnxNames.Hidden, rbm.HiddenProbabilities(), null, rbm._hidden);
            outputs.Add(OnnxNames.Hidden);
        }
        if (graph is OnnxGraphKind.Reconstruct or OnnxGraphKind.All)
        {
            g.Output(OnnxNames.Reconstruction, rbm.Reconstruction(), null, rbm._visible);
            outputs.Add(OnnxNames.Reconstruction);
        }
        if (graph is OnnxGraphKind.Score or OnnxGraphKind.All)
        {
            string freeEnergy = rbm.FreeEnergy();
            g.Output(OnnxNames.FreeEnergy, freeEnergy, new long?[] { null });
            outputs.Add(OnnxNames.FreeEnergy);
            if (rbm._logPartition is double logZ)
            {
                g.Output(OnnxNames.NegativeLogLikelihood, g.Add(freeEnergy, g.Scalar((float)logZ)), new long?[] { null });
                outputs.Add(OnnxNames.NegativeLogLikelihood);
            }
        }
        return outputs;
    }

    /// <summary>u = v (Bernoulli) or v / sigma (Gaussian).</summary>
    private string Scaled() => _scaled ??= _gaussian ? _g.Div(_features, _sigma!) : _features;

    /// <summary>b + u W, [N,H].</summary>
    private string PreActivation() => _preActivation ??= _g.Gemm(Scaled(), _weights, _hiddenBias);

    private string HiddenProbabilities() => _hiddenProbabilities ??= _g.Sigmoid(PreActivation());

    private string Reconstruction()
    {
        if (!_gaussian) return _g.Sigmoid(_g.Gemm(HiddenProbabilities(), _weights, _visibleBias, transposeB: true));
        string top = _g.Gemm(HiddenProbabilities(), _weights, transposeB: true);
        return _g.Add(_g.Mul(top, _sigma!), _visibleBias);
    }

    private string FreeEnergy()
    {
        string hiddenTerm = _g.ReduceSum(_g.Softplus(PreActivation()), 1);
        if (!_gaussian)
        {
            // -a.v - sum softplus: MatMul [N,D] x [D] -> [N].
            string visibleTerm = _g.MatMul(_features, _visibleBias);
            return _g.Sub(_g.Neg(visibleTerm), hiddenTerm);
        }
        string z = _g.Div(_g.Sub(_features, _visibleBias), _sigma!);
        string quadratic = _g.Mul(_g.ReduceSum(_g.Mul(z, z), 1), _g.Scalar(0.5f));
        return _g.Sub(quadratic, hiddenTerm);
    }
}

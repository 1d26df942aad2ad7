using System.Globalization;
using FreeEnergy.Persistence;

namespace FreeEnergy.Onnx.Graphs;

/// <summary>
/// Dense layers x W + b (W [in,out] and b [out] read from the model document as "{prefix}.weight" / "{prefix}.bias") as
/// graph nodes, on rows [N,in] (Gemm) or on (row, sample) pairs [N,K,in] (MatMul + Add); a chain "{prefix}.0",
/// "{prefix}.1", ... applies the hidden activation after every layer.
/// </summary>
internal sealed class DenseLayers
{
    private readonly GraphBuilder _g;
    private readonly string _activation;
    private readonly List<(string Weight, string Bias)> _chain = new();

    /// <summary>The activated chain "{prefix}.i" with the hidden <paramref name="widths"/>, fed by <paramref name="inputs"/> values.</summary>
    public DenseLayers(GraphBuilder g, ModelDocument document, string prefix, int inputs, IReadOnlyList<int> widths, string activation)
    {
        _g = g;
        _activation = activation;
        Width = inputs;
        for (int i = 0; i < widths.Count; i++)
        {
            _chain.Add(Read(g, document, prefix + "." + i.ToString(CultureInfo.InvariantCulture), Width, widths[i]));
            Width = widths[i];
        }
    }

    /// <summary>The width of the chain's output (its input width when it has no layers).</summary>
    public int Width { get; }

    /// <summary>The initializers of one layer "{prefix}.weight" [in,out] and "{prefix}.bias" [out].</summary>
    public static (string Weight, string Bias) Read(GraphBuilder g, ModelDocument document, string prefix, int inputs, int outputs)
        => (g.Initializer(prefix + ".weight", document.Tensor(prefix + ".weight", inputs, outputs), inputs, outputs),
            g.Initializer(prefix + ".bias", document.Tensor(prefix + ".bias", outputs), outputs));

    /// <summary>x W + b: Gemm on [N,in]; MatMul + Add on [N,K,in].</summary>
    public static string Affine(GraphBuilder g, string x, (string Weight, string Bias) layer, bool threeDimensional)
        => threeDimensional ? g.Add(g.MatMul(x, layer.Weight), layer.Bias) : g.Gemm(x, layer.Weight, layer.Bias);

    /// <summary>The chain's activated output for <paramref name="x"/> of shape [N,in] or [N,K,in].</summary>
    public string Forward(string x, bool threeDimensional)
    {
        foreach (var layer in _chain) x = Activate(Affine(_g, x, layer, threeDimensional));
        return x;
    }

    private string Activate(string x) => _activation switch
    {
        "relu" => _g.Relu(x),
        "tanh" => _g.Tanh(x),
        _ => _g.Softplus(x),
    };
}

using FreeEnergy.Estimation;

namespace FreeEnergy.Onnx.Graphs;

/// <summary>
/// The input complexity L(x) of <see cref="InputComplexity"/> as ONNX nodes, so that a score graph can subtract it
/// (S = score - L, Serrà et al. 2020) and stay one saveable graph. The adaptive context model is sequential in the
/// engine (counts updated pixel by pixel in raster order); here the counts each pixel sees are exclusive cumulative
/// sums over the raster order of the one-hot contexts, which gives the same Krichevsky-Trofimov probabilities:
/// <list type="number">
/// <item>b = [x &gt; 0.5] as [N, H, W], zero-padded by one row above and one column on each side;</item>
/// <item>context = west + 2 north-west + 4 north + 8 north-east (slices of the padded image), [N, D];</item>
/// <item>onehot [N, D, 16]; ones = onehot b, zeros = onehot (1 - b); n1, n0 = exclusive CumSum over D, read at the
///   pixel's own context;</item>
/// <item>L = -sum_d log((n_b + 1/2) / (n0 + n1 + 1)), with n_b = b n1 + (1 - b) n0.</item>
/// </list>
/// </summary>
internal static class InputComplexityGraph
{
    /// <summary>L(x) [N] of the rows of <paramref name="features"/> [N, width x height].</summary>
    public static string CodeLength(GraphBuilder g, string features, int width, int height)
    {
        long d = (long)width * height;
        string bits = g.Above(features, 0.5f);                                            // [N, D]
        string padded = g.PadZeros(g.Reshape(bits, -1, height, width), 0, 1, 1, 0, 0, 1); // [N, H+1, W+2]
        string Neighbour(long rowStart, long columnStart) =>
            g.Reshape(g.Slice(padded, new[] { rowStart, columnStart }, new[] { rowStart + height, columnStart + width }, new long[] { 1, 2 }), -1, d);
        string west = Neighbour(1, 0), northWest = Neighbour(0, 0), north = Neighbour(0, 1), northEast = Neighbour(0, 2);
        string context = g.Add(g.Add(west, g.Mul(northWest, g.Scalar(2f))), g.Add(g.Mul(north, g.Scalar(4f)), g.Mul(northEast, g.Scalar(8f))));

        int contexts = 1 << InputComplexity.ContextBits;
        var indices = new float[contexts];
        for (int c = 0; c < contexts; c++) indices[c] = c;
        string onehot = g.EqualTo(g.Unsqueeze(context, 2), g.Floats(indices));            // [N, D, 16]
        string bit = g.Unsqueeze(bits, 2);                                                 // [N, D, 1]
        string ones = g.Mul(onehot, bit);
        string zeros = g.Sub(onehot, ones);
        string onesBefore = g.ReduceSum(g.Mul(g.ExclusiveCumSum(ones, 1), onehot), 2);    // [N, D]
        string zerosBefore = g.ReduceSum(g.Mul(g.ExclusiveCumSum(zeros, 1), onehot), 2);
        string same = g.Add(g.Mul(bits, onesBefore), g.Mul(g.Sub(g.Scalar(1f), bits), zerosBefore));
        string probability = g.Div(g.Add(same, g.Scalar(0.5f)), g.Add(g.Add(onesBefore, zerosBefore), g.Scalar(1f)));
        return g.Neg(g.ReduceSum(g.Log(probability), 1));
    }
}

namespace FreeEnergy.Onnx.Graphs;

/// <summary>
/// The outputs of a VAE graph by graph kind (DESIGN §4), the same for one and two levels: encode -&gt; <c>latent_mean</c>,
/// <c>latent_log_variance</c> [N,Z] of the posterior the engine's Encode returns; reconstruct -&gt; <c>reconstruction</c>
/// [N,D]; score -&gt; <c>free_energy</c> [N]. Each value is built only when the graph needs it.
/// </summary>
internal static class VaeGraphOutputs
{
    /// <summary>Declares the outputs of <paramref name="graph"/> and returns their names in order.</summary>
    public static IReadOnlyList<string> Declare(GraphBuilder g, OnnxGraphKind graph, int latent, int input,
        Func<(string Mean, string LogVariance)> posterior, Func<string> reconstruction, Func<string> freeEnergy)
    {
        var outputs = new List<string>();
        if (graph is OnnxGraphKind.Encode or OnnxGraphKind.All)
        {
            var (mean, logVariance) = posterior();
            g.Output(OnnxNames.LatentMean, mean, null, latent);
            g.Output(OnnxNames.LatentLogVariance, logVariance, null, latent);
            outputs.Add(OnnxNames.LatentMean);
            outputs.Add(OnnxNames.LatentLogVariance);
        }
        if (graph is OnnxGraphKind.Reconstruct or OnnxGraphKind.All)
        {
            g.Output(OnnxNames.Reconstruction, reconstruction(), null, input);
            outputs.Add(OnnxNames.Reconstruction);
        }
        if (graph is OnnxGraphKind.Score or OnnxGraphKind.All)
        {
            g.Output(OnnxNames.FreeEnergy, freeEnergy(), new long?[] { null });
            outputs.Add(OnnxNames.FreeEnergy);
        }
        return outputs;
    }
}

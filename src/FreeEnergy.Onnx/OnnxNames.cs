namespace FreeEnergy.Onnx;

/// <summary>The input, output and metadata names of exported graphs (the contract consumers rely on).</summary>
public static class OnnxNames
{
    /// <summary>The input: float32 [N, D], N dynamic.</summary>
    public const string Features = "features";

    /// <summary>RBM encode output: p(h=1|v), float32 [N, H].</summary>
    public const string Hidden = "hidden";

    /// <summary>VAE encode output: the mean of q(z|x), float32 [N, Z].</summary>
    public const string LatentMean = "latent_mean";

    /// <summary>VAE encode output: log sigma^2 of q(z|x), float32 [N, Z].</summary>
    public const string LatentLogVariance = "latent_log_variance";

    /// <summary>Reconstruct output, float32 [N, D].</summary>
    public const string Reconstruction = "reconstruction";

    /// <summary>Score output: the free energy per row in nats, float32 [N].</summary>
    public const string FreeEnergy = "free_energy";

    /// <summary>Score output of RBMs with an estimated log partition function: F(v) + log Z, float32 [N].</summary>
    public const string NegativeLogLikelihood = "negative_log_likelihood";

    /// <summary>Output of score graphs exported with <see cref="OnnxExportOptions.SubtractInputComplexity"/>: L(x) in nats, [N].</summary>
    public const string InputComplexity = "input_complexity";

    /// <summary>Output of score graphs exported with <see cref="OnnxExportOptions.SubtractInputComplexity"/>: free_energy - L(x), [N].</summary>
    public const string CorrectedFreeEnergy = "free_energy_corrected";

    /// <summary>Metadata key: the model kind (see <see cref="Models.ModelKinds"/>).</summary>
    public const string MetadataModelKind = "model_kind";

    /// <summary>Metadata key: the graph kind ("encode", "reconstruct", "score" or "all").</summary>
    public const string MetadataGraph = "graph";

    /// <summary>Metadata key: the model's hyperparameters as one JSON object of strings.</summary>
    public const string MetadataHyperparameters = "hyperparameters";

    /// <summary>Metadata key: the library name ("FreeEnergyML").</summary>
    public const string MetadataLibrary = "library";

    /// <summary>Metadata key: the version of the library that exported the graph.</summary>
    public const string MetadataLibraryVersion = "library_version";

    /// <summary>Metadata key: the version of the library that wrote the model document.</summary>
    public const string MetadataModelLibraryVersion = "model_library_version";

    /// <summary>Metadata key: the graph's output names, comma-separated, in order.</summary>
    public const string MetadataOutputs = "outputs";

    /// <summary>The invariant name of a graph kind as used on the command line and in metadata.</summary>
    public static string GraphName(OnnxGraphKind graph) => graph switch
    {
        OnnxGraphKind.Encode => "encode",
        OnnxGraphKind.Reconstruct => "reconstruct",
        OnnxGraphKind.Score => "score",
        OnnxGraphKind.All => "all",
        _ => throw new ArgumentOutOfRangeException(nameof(graph), graph, "unknown graph kind."),
    };

    /// <summary>Parses "encode", "reconstruct", "score" or "all" (case-insensitive); false otherwise.</summary>
    public static bool TryParseGraph(string? text, out OnnxGraphKind graph)
    {
        foreach (var kind in new[] { OnnxGraphKind.Encode, OnnxGraphKind.Reconstruct, OnnxGraphKind.Score, OnnxGraphKind.All })
        {
            if (string.Equals(text, GraphName(kind), StringComparison.OrdinalIgnoreCase))
            {
                graph = kind;
                return true;
            }
        }
        graph = default;
        return false;
    }
}

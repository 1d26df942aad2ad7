namespace FreeEnergy.Onnx;

/// <summary>Which computation an exported ONNX graph performs (DESIGN §4 "ONNX graphs").</summary>
public enum OnnxGraphKind
{
    /// <summary>
    /// Encode each row: <c>hidden</c> [N,H] = p(h=1|v) for RBMs; <c>latent_mean</c> and <c>latent_log_variance</c>
    /// [N,Z] for VAEs.
    /// </summary>
    Encode,

    /// <summary>
    /// Mean-field reconstruction <c>reconstruction</c> [N,D]: v -> p(h|v) -> E[v|h] for RBMs; the decoder's mean
    /// at the latent mean for VAEs (sigmoid of the logits for the Bernoulli likelihood).
    /// </summary>
    Reconstruct,

    /// <summary>
    /// The free energy <c>free_energy</c> [N] in nats (RBM: F(v); VAE: the deterministic F_q with the stored
    /// scoring noise). RBMs whose hyperparameters hold <c>log_partition</c> also output
    /// <c>negative_log_likelihood</c> [N] = F(v) + log Z.
    /// </summary>
    Score,

    /// <summary>Every output of <see cref="Encode"/>, <see cref="Reconstruct"/> and <see cref="Score"/> in one graph.</summary>
    All,
}

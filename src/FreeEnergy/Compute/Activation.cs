namespace FreeEnergy.Compute;

/// <summary>An elementwise activation applied in a fused GEMM epilogue (see <c>CpuGemm.MultiplyBias</c>).</summary>
public enum Activation
{
    /// <summary>Identity: only the bias is added.</summary>
    None = 0,

    /// <summary>Logistic sigmoid 1 / (1 + e^-x), computed stably.</summary>
    Sigmoid = 1,

    /// <summary>Softplus log(1 + e^x), computed stably.</summary>
    Softplus = 2,

    /// <summary>Rectified linear max(x, 0).</summary>
    Relu = 3,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh = 4,
}

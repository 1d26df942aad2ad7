namespace FreeEnergy.Compute.Cpu;

/// <summary>One pinned GEMM call: C = alpha * op(A) * op(B) + beta * C, then optionally C = act(C + bias) per row.</summary>
internal unsafe struct GemmProblem
{
    public bool TransposeA;
    public bool TransposeB;
    public int M;
    public int N;
    public int K;
    public float Alpha;
    public float Beta;
    public float* A;
    public nint Lda;
    public float* B;
    public nint Ldb;
    public float* C;
    public nint Ldc;

    /// <summary>Null for a plain GEMM; otherwise N values added to every row of C before <see cref="Activation"/>.</summary>
    public float* Bias;
    public Activation Activation;
    public bool HasEpilogue;

    /// <summary>The store mode of the first (or only) k block.</summary>
    public readonly StoreMode FirstMode => Beta == 0f ? StoreMode.Overwrite : StoreMode.Blend;

    /// <summary>Applies bias and activation to C[i, j0..j0+count).</summary>
    public readonly void Epilogue(int i, int j0, int count)
    {
        if (!HasEpilogue || count <= 0) return;
        var row = new Span<float>(C + i * Ldc + j0, count);
        if (Bias != null) System.Numerics.Tensors.TensorPrimitives.Add(row, new ReadOnlySpan<float>(Bias + j0, count), row);
        Activations.Apply(Activation, row, row);
    }
}

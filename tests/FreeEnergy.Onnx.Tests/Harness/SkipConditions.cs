namespace FreeEnergy.Onnx.Tests.Harness;

/// <summary>A fact that runs a graph in ONNX Runtime for .NET (never skipped: where the runtime does not load, the test fails with the reason).</summary>
public sealed class OnnxRuntimeFactAttribute : FactAttribute
{
    /// <summary>Marks the test.</summary>
    public OnnxRuntimeFactAttribute()
    {
    }
}

/// <summary>A theory that runs graphs in ONNX Runtime for .NET (never skipped).</summary>
public sealed class OnnxRuntimeTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the harness is unavailable.</summary>
    public OnnxRuntimeTheoryAttribute()
    {
    }
}

/// <summary>A theory that needs ONNX Runtime and the MNIST training images ($FREEENERGY_MNIST, data/mnist or ../shared/data/mnist).</summary>
public sealed class MnistOnnxRuntimeTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when either is missing.</summary>
    public MnistOnnxRuntimeTheoryAttribute()
    {
        if (MnistRows.ImagesPath is null) Skip = "MNIST not found (set FREEENERGY_MNIST, or run build/fetch-mnist.sh to fill data/mnist).";
    }
}

/// <summary>A fact that needs ONNX Runtime and the MNIST training images; skipped with the reason when either is missing.</summary>
public sealed class MnistOnnxRuntimeFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when either is missing.</summary>
    public MnistOnnxRuntimeFactAttribute()
    {
        if (MnistRows.ImagesPath is null) Skip = "MNIST not found (set FREEENERGY_MNIST, or run build/fetch-mnist.sh to fill data/mnist).";
    }
}

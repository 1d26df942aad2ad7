namespace FreeEnergy.Onnx.Tests.Harness;

/// <summary>A fact that needs ONNX Runtime (tests/onnxruntime); skipped with the reason when it is not installed.</summary>
public sealed class OnnxRuntimeFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the harness is unavailable.</summary>
    public OnnxRuntimeFactAttribute()
    {
        if (!OnnxRuntimeHarness.Available) Skip = OnnxRuntimeHarness.Reason;
    }
}

/// <summary>A theory that needs ONNX Runtime; skipped with the reason when it is not installed.</summary>
public sealed class OnnxRuntimeTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the harness is unavailable.</summary>
    public OnnxRuntimeTheoryAttribute()
    {
        if (!OnnxRuntimeHarness.Available) Skip = OnnxRuntimeHarness.Reason;
    }
}

/// <summary>A theory that needs ONNX Runtime and the MNIST training images ($FREEENERGY_MNIST, data/mnist or ../shared/data/mnist).</summary>
public sealed class MnistOnnxRuntimeTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when either is missing.</summary>
    public MnistOnnxRuntimeTheoryAttribute()
    {
        if (!OnnxRuntimeHarness.Available) Skip = OnnxRuntimeHarness.Reason;
        else if (MnistRows.ImagesPath is null) Skip = "MNIST not found (set FREEENERGY_MNIST, or run build/fetch-mnist.sh to fill data/mnist).";
    }
}

/// <summary>A fact that needs ONNX Runtime and the MNIST training images; skipped with the reason when either is missing.</summary>
public sealed class MnistOnnxRuntimeFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when either is missing.</summary>
    public MnistOnnxRuntimeFactAttribute()
    {
        if (!OnnxRuntimeHarness.Available) Skip = OnnxRuntimeHarness.Reason;
        else if (MnistRows.ImagesPath is null) Skip = "MNIST not found (set FREEENERGY_MNIST, or run build/fetch-mnist.sh to fill data/mnist).";
    }
}

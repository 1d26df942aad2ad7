using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.FreeEnergy.Tests;

/// <summary>GpuDeviceId and FallbackToCpu reach ONNX Runtime through ApplyOnnxModel.</summary>
public sealed class DeviceTests
{
    /// <summary>Whether this ONNX Runtime can append the CUDA provider for device 0 (false without its library or a GPU).</summary>
    private static bool CudaUsable()
    {
        try
        {
            using var options = new SessionOptions();
            options.AppendExecutionProvider_CUDA(0);
            return true;
        }
        catch (OnnxRuntimeException)
        {
            return false;
        }
    }

    [Fact]
    public void A_gpu_request_falls_back_to_the_cpu_when_asked_and_scores_the_same()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticRows.Binary(20, 5, 41);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = TransformTests.RbmTrainerModel(rows);
        var options = new FreeEnergyTransformOptions { Model = model, GpuDeviceId = 0, FallbackToCpu = true };
        var output = ml.Transforms.FreeEnergyScore("FreeEnergy", "Features", options).Fit(data).Transform(data);
        TransformTests.AssertClose(model.FreeEnergy(SyntheticRows.ToMatrix(rows).View), output.GetColumn<float>("FreeEnergy").ToArray());
    }

    [Fact]
    public void A_gpu_request_without_fallback_reaches_onnx_runtime()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticRows.Binary(20, 0, 42);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = new FreeEnergyTransformOptions { Model = TransformTests.RbmTrainerModel(rows), GpuDeviceId = 0, FallbackToCpu = false };
        var estimate = () => ml.Transforms.FreeEnergyScore("FreeEnergy", "Features", options).Fit(data);
        // ML.NET must do what ONNX Runtime does with the CUDA provider: work where it loads, fail (naming it) where not.
        if (CudaUsable()) Assert.NotNull(estimate());
        else Assert.Contains("Cuda", Assert.ThrowsAny<Exception>(estimate).Message, StringComparison.OrdinalIgnoreCase);
    }
}

using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Cuda;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.Tests.Cuda;

/// <summary>A fact that runs only where a CUDA device and the CUDA libraries load; skipped with the reason elsewhere (CI).</summary>
public sealed class GpuFactAttribute : FactAttribute
{
    public GpuFactAttribute()
    {
        var status = CudaProbe.Probe();
        if (!status.Available) Skip = $"no usable CUDA device here ({status.Reason}); build/gpu-check.sh runs the full parity check on a GPU machine.";
    }
}

/// <summary>A few CPU-vs-GPU checks for developers with a GPU (the complete set is samples/GpuCheck).</summary>
public class GpuTests
{
    [GpuFact]
    public void GemmThroughTheSpanSeamMatchesTheCpu()
    {
        using var gpu = CudaBackend.Create(new CudaOptions { UseDiskCache = false });
        int m = 33, n = 17, k = 29;
        var a = new float[m * k]; var b = new float[n * k]; var cpu = new float[m * n]; var dev = new float[m * n];
        Philox.FillGaussian(1, 1, 0, a); Philox.FillGaussian(1, 2, 0, b);
        new CpuBackend(1).Gemm(Transpose.None, Transpose.Transposed, m, n, k, 1f, a, k, b, k, 0f, cpu, n);
        ((IComputeBackend)gpu).Gemm(Transpose.None, Transpose.Transposed, m, n, k, 1f, a, k, b, k, 0f, dev, n);
        for (int i = 0; i < cpu.Length; i++) Assert.True(Math.Abs(cpu[i] - dev[i]) <= 1e-4f * Math.Max(1f, Math.Abs(cpu[i])), $"C[{i}]: {dev[i]} vs {cpu[i]}");
    }

    [GpuFact]
    public void BernoulliOnTheDeviceDrawsTheCpuNumbers()
    {
        using var gpu = CudaBackend.Create(new CudaOptions { UseDiskCache = false });
        int n = 4099;
        var p = new float[n];
        Philox.FillUniform(3, 3, 0, p);
        var cpu = new float[n];
        Sampling.Bernoulli(p, cpu, 11, 12, 13);
        using var device = new CudaDeviceArrays(gpu);
        using var dp = device.Upload(p);
        using var dout = device.Allocate(n);
        device.Bernoulli(dp, dout, 11, 12, 13);
        Assert.Equal(cpu, device.ToArray(dout));
    }

    [GpuFact]
    public void DeviceResidentRbmTrainingOnCudaTracksTheHostSeam()
    {
        using var gpu = CudaBackend.Create(new CudaOptions { UseDiskCache = false });
        var data = FreeEnergy.Tests.Rbm.RbmTestData.DigitLike(300, 3);
        FreeEnergy.Training.RbmTrainingOptions Options(bool onGpu) => new()
        {
            HiddenUnits = 32, Epochs = 2, BatchSize = 50, Seed = 4, Backend = onGpu ? gpu : new CpuBackend(1),
            DeviceArrays = onGpu ? null : new FreeEnergy.Compute.Device.HostDeviceArrays(new CpuBackend(1)),
        };
        var host = FreeEnergy.Training.RbmTrainer.TrainBernoulli(data.View, Options(false));
        var dev = FreeEnergy.Training.RbmTrainer.TrainBernoulli(data.View, Options(true));
        double diff = 0, norm = 0;
        for (int i = 0; i < host.Weights.Length; i++) { double e = host.Weights[i] - dev.Weights[i]; diff += e * e; norm += host.Weights[i] * (double)host.Weights[i]; }
        Assert.True(Math.Sqrt(diff / norm) < 0.05, $"relative RMS weight difference {Math.Sqrt(diff / norm)}");
    }

    [GpuFact]
    public void DeviceResidentTapTrainingOnCudaTracksTheHostSeam()
    {
        // TAP draws nothing: only rounding (cuBLAS vs the CPU GEMM, device vs CPU sigmoid) separates the two.
        using var gpu = CudaBackend.Create(new CudaOptions { UseDiskCache = false });
        var data = FreeEnergy.Tests.Rbm.RbmTestData.DigitLike(300, 3);
        foreach (int order in new[] { 2, 3 })
        {
            FreeEnergy.Training.RbmTrainingOptions Options(bool onGpu) => new()
            {
                HiddenUnits = 32, Epochs = 2, BatchSize = 50, Seed = 4, LearningRate = 0.05f, Backend = onGpu ? gpu : new CpuBackend(1),
                NegativePhase = FreeEnergy.Training.NegativePhase.Tap(order, 3, 0.5f),
                DeviceArrays = onGpu ? null : new FreeEnergy.Compute.Device.HostDeviceArrays(new CpuBackend(1)),
            };
            var host = FreeEnergy.Training.RbmTrainer.TrainBernoulli(data.View, Options(false));
            var dev = FreeEnergy.Training.RbmTrainer.TrainBernoulli(data.View, Options(true));
            double diff = 0, norm = 0;
            for (int i = 0; i < host.Weights.Length; i++) { double e = host.Weights[i] - dev.Weights[i]; diff += e * e; norm += host.Weights[i] * (double)host.Weights[i]; }
            Assert.True(Math.Sqrt(diff / norm) < 0.01, $"TAP-{order}: relative RMS weight difference {Math.Sqrt(diff / norm)}");
        }
    }

    [GpuFact]
    public void DeviceResidentVaeTrainingOnCudaTracksTheHostSeam()
    {
        // Gaussian noise and no thresholds: only rounding (cuBLAS vs the CPU GEMM, float kernels) separates the two.
        using var gpu = CudaBackend.Create(new CudaOptions { UseDiskCache = false });
        var data = FreeEnergy.Tests.Rbm.RbmTestData.DigitLike(300, 3);
        foreach (var (twoLevel, samples) in new[] { (false, 5), (true, 1), (true, 5) })
        {
            FreeEnergy.Training.VaeTrainingOptions Options(bool onGpu) => new()
            {
                LatentDimension = 6, UpperLatentDimension = twoLevel ? 3 : 0, EncoderLayers = [32], UpperLayers = twoLevel ? [16] : null, BatchSize = 50,
                Epochs = 2, Seed = 4, ImportanceSamples = samples, DeviceArrays = onGpu ? null : new HostDeviceArrays(new CpuBackend(1)),
            };
            float[] Train(bool onGpu)
            {
                IComputeBackend backend = onGpu ? gpu : new CpuBackend(1);
                return twoLevel
                    ? FreeEnergy.Training.HierarchicalVaeTrainer.Train(data.View, null, Options(onGpu), backend).Parameters
                    : FreeEnergy.Training.VaeTrainer.Train(data.View, null, Options(onGpu), backend).Parameters;
            }
            var host = Train(false);
            var dev = Train(true);
            double diff = 0, norm = 0;
            for (int i = 0; i < host.Length; i++) { double e = host[i] - dev[i]; diff += e * e; norm += host[i] * (double)host[i]; }
            Assert.True(Math.Sqrt(diff / norm) < 1e-2, $"{(twoLevel ? "vae2" : "vae")} k={samples}: relative RMS parameter difference {Math.Sqrt(diff / norm)}");
        }
    }
}

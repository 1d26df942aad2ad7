using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Cuda;

namespace FreeEnergy.Compute;

/// <summary>Creates the backend for a <see cref="ComputeDevice"/> choice and says which one was picked and why.</summary>
public static class ComputeBackends
{
    /// <summary>
    /// Creates the backend for <paramref name="device"/>. <see cref="ComputeDevice.Auto"/> picks CUDA when a device,
    /// the driver, NVRTC and cuBLAS load, else the CPU; <see cref="ComputeDevice.Cuda"/> throws
    /// <see cref="CudaException"/> with the reason when CUDA is unavailable.
    /// </summary>
    /// <param name="device">The choice.</param>
    /// <param name="threads">CPU worker threads (0 = all cores); also used by the CUDA backend's CPU loop.</param>
    /// <param name="reason">One line for reports: what was picked and why.</param>
    /// <param name="cudaOptions">CUDA settings (device ordinal, TF32, PTX cache); null means defaults.</param>
    public static IComputeBackend Create(ComputeDevice device, int threads, out string reason, CudaOptions? cudaOptions = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        switch (device)
        {
            case ComputeDevice.Cpu:
                reason = "cpu: requested with --device cpu";
                return new CpuBackend(threads);
            case ComputeDevice.Cuda:
            {
                var options = WithThreads(cudaOptions, threads);
                var backend = CudaBackend.Create(options);
                reason = $"cuda: requested; using {backend.DeviceName}";
                return backend;
            }
            case ComputeDevice.Auto:
            {
                var status = CudaProbe.Probe(cudaOptions?.DeviceOrdinal ?? 0);
                if (status.Available)
                {
                    try
                    {
                        var backend = CudaBackend.Create(WithThreads(cudaOptions, threads));
                        reason = $"cuda: {backend.DeviceName} found with NVRTC {status.NvrtcVersion} and {status.CublasLibrary}";
                        return backend;
                    }
                    catch (CudaException e)
                    {
                        reason = $"cpu: CUDA probe passed but the backend failed to start ({e.Message})";
                        return new CpuBackend(threads);
                    }
                }
                reason = $"cpu: CUDA unavailable ({status.Reason})";
                return new CpuBackend(threads);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(device), device, "Unknown compute device.");
        }
    }

    /// <summary>Parses "auto", "cpu" or "cuda" (case-insensitive); false for anything else.</summary>
    public static bool TryParse(string? text, out ComputeDevice device)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "auto": device = ComputeDevice.Auto; return true;
            case "cpu": device = ComputeDevice.Cpu; return true;
            case "cuda": case "gpu": device = ComputeDevice.Cuda; return true;
            default: device = ComputeDevice.Auto; return false;
        }
    }

    private static CudaOptions WithThreads(CudaOptions? options, int threads)
    {
        var o = options ?? new CudaOptions();
        return new CudaOptions
        {
            DeviceOrdinal = o.DeviceOrdinal,
            AllowTf32 = o.AllowTf32,
            CpuThreads = threads,
            PtxCacheDirectory = o.PtxCacheDirectory,
            UseDiskCache = o.UseDiskCache,
        };
    }
}

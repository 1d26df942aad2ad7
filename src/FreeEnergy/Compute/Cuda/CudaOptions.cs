namespace FreeEnergy.Compute.Cuda;

/// <summary>Settings of a <see cref="CudaBackend"/>.</summary>
public sealed class CudaOptions
{
    /// <summary>The CUDA device ordinal. Default 0.</summary>
    public int DeviceOrdinal { get; set; }

    /// <summary>
    /// Lets cuBLAS use TF32 tensor cores for SGEMM (faster on Ampere and later, about 1e-3 relative error).
    /// Default false: full FP32 products.
    /// </summary>
    public bool AllowTf32 { get; set; }

    /// <summary>Threads for <see cref="IComputeBackend.For"/>, which runs on the CPU; 0 (default) means all cores.</summary>
    public int CpuThreads { get; set; }

    /// <summary>
    /// Where compiled PTX is cached on disk; null (default) means <c>$XDG_CACHE_HOME/freeenergy/ptx</c> or
    /// <c>~/.cache/freeenergy/ptx</c>. Ignored when <see cref="UseDiskCache"/> is false.
    /// </summary>
    public string? PtxCacheDirectory { get; set; }

    /// <summary>Whether compiled PTX is kept on disk between runs. Default true.</summary>
    public bool UseDiskCache { get; set; } = true;
}

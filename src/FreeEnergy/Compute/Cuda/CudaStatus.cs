namespace FreeEnergy.Compute.Cuda;

/// <summary>What a probe of the CUDA stack found: the device, the libraries and, when unusable, why.</summary>
public sealed record CudaStatus
{
    /// <summary>True when a device, the driver, NVRTC and cuBLAS all load, so a <see cref="CudaBackend"/> can be created.</summary>
    public bool Available { get; init; }

    /// <summary>Why CUDA is unavailable (empty when available).</summary>
    public string Reason { get; init; } = "";

    /// <summary>Number of CUDA devices (0 without a driver).</summary>
    public int DeviceCount { get; init; }

    /// <summary>The name of device 0, when there is one.</summary>
    public string? DeviceName { get; init; }

    /// <summary>Compute capability of device 0 as major*10+minor (e.g. 90), when there is one.</summary>
    public int? ComputeCapability { get; init; }

    /// <summary>Total memory of device 0 in bytes, when there is one.</summary>
    public long? TotalMemoryBytes { get; init; }

    /// <summary>The driver's CUDA version (e.g. "12.4"), when the driver loads.</summary>
    public string? DriverVersion { get; init; }

    /// <summary>Why the driver or device is unusable (empty when fine).</summary>
    public string DriverReason { get; init; } = "";

    /// <summary>The NVRTC library loaded, when found.</summary>
    public string? NvrtcLibrary { get; init; }

    /// <summary>The NVRTC version (e.g. "11.8"), when found.</summary>
    public string? NvrtcVersion { get; init; }

    /// <summary>Why NVRTC is unusable (empty when fine).</summary>
    public string NvrtcReason { get; init; } = "";

    /// <summary>The cuBLAS library loaded, when found.</summary>
    public string? CublasLibrary { get; init; }

    /// <summary>Why cuBLAS is unusable (empty when fine).</summary>
    public string CublasReason { get; init; } = "";
}

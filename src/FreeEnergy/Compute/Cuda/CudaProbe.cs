namespace FreeEnergy.Compute.Cuda;

/// <summary>Looks for a usable CUDA stack without ever throwing.</summary>
public static class CudaProbe
{
    /// <summary>Probes the driver, device <paramref name="deviceOrdinal"/>, NVRTC and cuBLAS.</summary>
    public static CudaStatus Probe(int deviceOrdinal = 0)
    {
        string driverReason = "", nvrtcReason, cublasReason;
        int count = 0;
        string? deviceName = null, driverVersion = null;
        int? capability = null;
        long? memory = null;
        try
        {
            var driver = CudaDriver.TryGet(out driverReason);
            if (driver is not null)
            {
                int v = driver.DriverVersion();
                driverVersion = $"{v / 1000}.{v % 1000 / 10}";
                count = driver.DeviceCount();
                if (count == 0) driverReason = "the NVIDIA driver reports no CUDA device";
                else if (deviceOrdinal < 0 || deviceOrdinal >= count) driverReason = $"device {deviceOrdinal} does not exist ({count} device{(count == 1 ? "" : "s")})";
                else
                {
                    int device = driver.Device(deviceOrdinal);
                    deviceName = driver.DeviceName(device);
                    capability = driver.Attribute(device, CudaDriver.AttributeComputeCapabilityMajor) * 10 + driver.Attribute(device, CudaDriver.AttributeComputeCapabilityMinor);
                    memory = driver.TotalMemory(device);
                }
            }
        }
        catch (Exception e) when (e is CudaException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            driverReason = e.Message;
        }

        string? nvrtcLibrary = null, nvrtcVersion = null;
        try
        {
            var nvrtc = Nvrtc.TryGet(out nvrtcReason);
            if (nvrtc is not null) { nvrtcLibrary = nvrtc.LibraryName; nvrtcVersion = $"{nvrtc.Version.Major}.{nvrtc.Version.Minor}"; }
        }
        catch (Exception e) when (e is CudaException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            nvrtcReason = e.Message;
        }

        string? cublasLibrary = null;
        try
        {
            var cublas = Cublas.TryGet(out cublasReason);
            if (cublas is not null) cublasLibrary = cublas.LibraryName;
        }
        catch (Exception e) when (e is CudaException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            cublasReason = e.Message;
        }

        var reasons = new List<string>();
        if (driverReason.Length > 0) reasons.Add(driverReason);
        if (nvrtcReason.Length > 0) reasons.Add(nvrtcReason);
        if (cublasReason.Length > 0) reasons.Add(cublasReason);
        return new CudaStatus
        {
            Available = reasons.Count == 0,
            Reason = string.Join("; ", reasons),
            DeviceCount = count,
            DeviceName = deviceName,
            ComputeCapability = capability,
            TotalMemoryBytes = memory,
            DriverVersion = driverVersion,
            DriverReason = driverReason,
            NvrtcLibrary = nvrtcLibrary,
            NvrtcVersion = nvrtcVersion,
            NvrtcReason = nvrtcReason,
            CublasLibrary = cublasLibrary,
            CublasReason = cublasReason,
        };
    }
}

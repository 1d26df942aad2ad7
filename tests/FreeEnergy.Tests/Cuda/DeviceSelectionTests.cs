using System.Text.Json;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Cuda;
using FreeEnergy.Tests.Cli;

namespace FreeEnergy.Tests.Cuda;

/// <summary>Probing and backend choice on a machine without a GPU (CI): no exception, a reason, CPU fallback.</summary>
public class DeviceSelectionTests
{
    private static bool HasGpu => CudaProbe.Probe().Available;

    [Fact]
    public void ProbeNeverThrowsAndExplainsUnavailability()
    {
        var status = CudaProbe.Probe();
        if (status.Available)
        {
            Assert.NotNull(status.DeviceName);
            return;
        }
        Assert.False(string.IsNullOrWhiteSpace(status.Reason));
        Assert.Null(status.DeviceName);
        // Probing twice gives the same answer (failures are cached, not retried into a crash).
        Assert.Equal(status.Reason, CudaProbe.Probe().Reason);
    }

    [Fact]
    public void AutoFallsBackToCpuAndSaysWhy()
    {
        var backend = ComputeBackends.Create(ComputeDevice.Auto, 1, out var reason);
        try
        {
            if (HasGpu) { Assert.IsType<CudaBackend>(backend); Assert.StartsWith("cuda", reason); return; }
            Assert.IsType<CpuBackend>(backend);
            Assert.StartsWith("cpu: CUDA unavailable (", reason);
            Assert.Equal(1, backend.Threads);
        }
        finally
        {
            (backend as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void CudaWithoutGpuIsAClearTypedError()
    {
        if (HasGpu) return;
        var e = Assert.Throws<CudaException>(() => ComputeBackends.Create(ComputeDevice.Cuda, 0, out _));
        Assert.StartsWith("CUDA is unavailable: ", e.Message);
        Assert.IsAssignableFrom<FreeEnergyException>(e);
    }

    [Fact]
    public void CpuIsAlwaysCpu()
    {
        var backend = ComputeBackends.Create(ComputeDevice.Cpu, 2, out var reason);
        Assert.IsType<CpuBackend>(backend);
        Assert.Equal(2, backend.Threads);
        Assert.StartsWith("cpu", reason);
    }

    [Theory]
    [InlineData("auto", ComputeDevice.Auto)]
    [InlineData("CPU", ComputeDevice.Cpu)]
    [InlineData(" cuda ", ComputeDevice.Cuda)]
    public void DeviceNamesParse(string text, ComputeDevice expected)
    {
        Assert.True(ComputeBackends.TryParse(text, out var device));
        Assert.Equal(expected, device);
    }

    [Fact]
    public void UnknownDeviceNameIsRejected() => Assert.False(ComputeBackends.TryParse("tpu", out _));

    [Fact]
    public void MissingLibraryReasonNamesEveryCandidate()
    {
        Assert.False(CudaLibraryLoader.TryLoad(["libcublas-nope.so.12", "libcublas-nope.so.11"], "install the CUDA runtime or use --device cpu", out _, out _, out var reason));
        Assert.Equal("libcublas-nope.so.12/.11 not found: install the CUDA runtime or use --device cpu", reason);
    }

    [Fact]
    public void LibrariesNoNewerThanTheDriverAreTriedFirst()
    {
        string[] candidates = ["libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"];
        Assert.Equal(["libcublas.so.12", "libcublas.so.11", "libcublas.so", "libcublas.so.13"], CudaLibraryLoader.PreferDriverCompatible(candidates, 12));
        Assert.Equal(candidates, CudaLibraryLoader.PreferDriverCompatible(candidates, null));
        Assert.Equal(11, CudaLibraryLoader.MajorVersion("libnvrtc.so.11.2"));
        Assert.Null(CudaLibraryLoader.MajorVersion("libnvrtc.so"));
    }

    [Fact]
    public void DeviceVerbReportsBackendAndReasonAsJson()
    {
        var (code, stdout, stderr) = CliSmokeTests.Run("device", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(HasGpu ? "cuda" : "cpu", root.GetProperty("backend").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("reason").GetString()));
        Assert.Equal(JsonValueKind.True == root.GetProperty("cudaAvailable").ValueKind, HasGpu);
        if (Nvrtc.TryGet(out _) is { } nvrtc) Assert.Equal($"{nvrtc.Version.Major}.{nvrtc.Version.Minor}", root.GetProperty("nvrtcVersion").GetString());
    }

    [Fact]
    public void DeviceVerbWithCudaWithoutGpuExitsTwo()
    {
        if (HasGpu) return;
        var (code, stdout, stderr) = CliSmokeTests.Run("device", "--device", "cuda", "--json");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: --device cuda: CUDA is unavailable:", stderr);
    }

    [Fact]
    public void DeviceVerbRejectsUnknownDevice()
    {
        var (code, _, stderr) = CliSmokeTests.Run("device", "--device", "tpu");
        Assert.Equal(2, code);
        Assert.Contains("--device must be one of auto, cpu, cuda (got 'tpu')", stderr);
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Cuda;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.GpuCheck;

/// <summary>Throughput measurements: SGEMM on device buffers (GFLOP/s) and an elementwise kernel (GB/s).</summary>
internal static class Timings
{
    public static JsonObject Sgemm(CudaBackend backend, int n, int repeats)
    {
        long elements = (long)n * n;
        var host = new float[elements];
        Philox.FillUniform(1, 1, 0, host);
        using var a = backend.Upload(host);
        using var b = backend.Upload(host);
        using var c = backend.Allocate((int)elements);
        backend.Gemm(Transpose.None, Transpose.None, n, n, n, 1f, a, n, b, n, 0f, c, n);
        backend.Synchronize();
        var clock = Stopwatch.StartNew();
        for (int r = 0; r < repeats; r++) backend.Gemm(Transpose.None, Transpose.None, n, n, n, 1f, a, n, b, n, 0f, c, n);
        backend.Synchronize();
        double seconds = clock.Elapsed.TotalSeconds / repeats;
        return new JsonObject { ["size"] = n, ["repeats"] = repeats, ["secondsPerCall"] = seconds, ["gflops"] = 2.0 * n * n * (double)n / seconds / 1e9, ["tf32"] = backend.Options.AllowTf32 };
    }

    /// <summary>The seam's bias-sigmoid over <paramref name="n"/> elements (rows of 1024).</summary>
    public static JsonObject Elementwise(CudaBackend backend, int n, int repeats)
    {
        const int columns = 1024;
        using var device = new CudaDeviceArrays(backend);
        using var x = device.Allocate(n);
        using var y = device.Allocate(n);
        using var bias = device.Allocate(columns);
        device.Fill(x, 0.5f);
        device.BiasSigmoid(x, bias, y, n / columns, columns);
        backend.Synchronize();
        var clock = Stopwatch.StartNew();
        for (int r = 0; r < repeats; r++) device.BiasSigmoid(x, bias, y, n / columns, columns);
        backend.Synchronize();
        double seconds = clock.Elapsed.TotalSeconds / repeats;
        return new JsonObject { ["elements"] = n, ["secondsPerCall"] = seconds, ["gigabytesPerSecond"] = 8.0 * n / seconds / 1e9 };
    }

    public static JsonObject CpuSgemm(int n)
    {
        var a = new float[n * n];
        Philox.FillUniform(1, 2, 0, a);
        var c = new float[n * n];
        var cpu = CpuBackend.Default;
        cpu.Gemm(Transpose.None, Transpose.None, n, n, n, 1f, a, n, a, n, 0f, c, n);
        var clock = Stopwatch.StartNew();
        cpu.Gemm(Transpose.None, Transpose.None, n, n, n, 1f, a, n, a, n, 0f, c, n);
        double seconds = clock.Elapsed.TotalSeconds;
        return new JsonObject { ["size"] = n, ["backend"] = cpu.Name, ["gflops"] = 2.0 * n * n * (double)n / seconds / 1e9 };
    }
}

using System.Diagnostics.CodeAnalysis;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Cuda;
using FreeEnergy.Compute.Device;

namespace FreeEnergy.Compute;

/// <summary>
/// What a backend offers beyond <see cref="IComputeBackend"/>, asked once by capability: a device whose arrays stay
/// resident (<see cref="TryGetDeviceArrays"/>) and a GEMM fused with a bias and an activation (<see cref="TryGemmBias"/>).
/// The only place outside the backends that knows their concrete types.
/// </summary>
internal static class BackendCapabilities
{
    /// <summary>A new device seam over the backend's device (the caller disposes it); false when the backend has no device.</summary>
    public static bool TryGetDeviceArrays(this IComputeBackend backend, [NotNullWhen(true)] out IDeviceArrays? device)
    {
        device = backend is CudaBackend gpu ? new CudaDeviceArrays(gpu) : null;
        return device is not null;
    }

    /// <summary>
    /// C = activation(A B + bias) in one pass over each block of the product while it is in cache, when the backend has
    /// such a GEMM (row-major, no transposes); false (nothing written) otherwise.
    /// </summary>
    public static bool TryGemmBias(this IComputeBackend backend, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b,
        ReadOnlySpan<float> bias, Activation activation, Span<float> c)
    {
        if (backend is not CpuBackend cpu) return false;
        cpu.GemmBias(Transpose.None, Transpose.None, m, n, k, a, k, b, n, bias, activation, c, n);
        return true;
    }
}

/// <summary>
/// The device seam one call runs on: the one the options give (tests run the device loops on the host seam), else a
/// new one over the backend's device, disposed with this; none when neither is there.
/// </summary>
internal readonly struct DeviceUse : IDisposable
{
    private readonly bool _owned;

    private DeviceUse(IDeviceArrays? arrays, bool owned)
    {
        Arrays = arrays;
        _owned = owned;
    }

    /// <summary>The seam, or null: run the CPU path.</summary>
    public IDeviceArrays? Arrays { get; }

    /// <summary>The given seam, else the backend's device when <paramref name="wanted"/>.</summary>
    public static DeviceUse Of(IComputeBackend backend, IDeviceArrays? given, bool wanted = true)
    {
        if (!wanted) return default;
        if (given is not null) return new DeviceUse(given, false);
        return backend.TryGetDeviceArrays(out var device) ? new DeviceUse(device, true) : default;
    }

    public void Dispose()
    {
        if (_owned) Arrays!.Dispose();
    }
}

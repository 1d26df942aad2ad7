namespace FreeEnergy.Compute;

/// <summary>Which hardware runs the heavy work (<c>--device auto|cpu|cuda</c>).</summary>
public enum ComputeDevice
{
    /// <summary>CUDA when a device and the CUDA libraries load, otherwise the CPU.</summary>
    Auto = 0,

    /// <summary>The SIMD CPU backend.</summary>
    Cpu = 1,

    /// <summary>The CUDA backend; fails with the reason when it cannot be used.</summary>
    Cuda = 2,
}

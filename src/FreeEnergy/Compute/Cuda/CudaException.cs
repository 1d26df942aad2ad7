namespace FreeEnergy.Compute.Cuda;

/// <summary>
/// A CUDA failure: a missing library or device, a failed driver/NVRTC/cuBLAS call (the message names the
/// call and the CUDA error name), or a kernel that does not compile.
/// </summary>
public sealed class CudaException : FreeEnergyException
{
    /// <summary>Creates the exception with a message naming the failing call and what to do.</summary>
    public CudaException(string message) : base(message) { }
}

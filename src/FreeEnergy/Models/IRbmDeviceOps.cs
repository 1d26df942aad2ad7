using FreeEnergy.Compute.Device;

namespace FreeEnergy.Models;

/// <summary>
/// The RBM trainers' and scorers' operations on a device seam beyond the core (<see cref="IDeviceArrays"/>): Gaussian-RBM
/// visible sampling, the free energies per row and the regularised weight step; the CUDA seam runs them as kernels, the
/// host seam with the CPU engine's arithmetic.
/// </summary>
internal interface IRbmDeviceOps : IDeviceArrays
{
    /// <summary>
    /// Gaussian-RBM visible sampling: v = (wh sigma + a) + sigma z with z the standard normal at Philox (seed, stream,
    /// startIndex + i); output = v / sigma (as <see cref="GaussianRbm"/>'s VisibleMean, SampleVisible and ScaleVisible).
    /// </summary>
    void GaussianVisible(DeviceSlice wh, DeviceSlice visibleBias, DeviceSlice sigma, DeviceSlice output, int rows, int columns, ulong seed, ulong stream, ulong startIndex);

    /// <summary>Gaussian-RBM free energy per row: sum (v - a)^2 / (2 sigma^2) - sum_j softplus(pre[r, j] + c[j]), pre = (v / sigma) W.</summary>
    void GaussianRbmFreeEnergyRows(DeviceSlice visible, DeviceSlice visibleBias, DeviceSlice sigma, DeviceSlice preActivations, DeviceSlice hiddenBias, DeviceSlice result, int rows, int visibleCount, int hiddenCount);

    /// <summary>The weight step after a GEMM has put momentum velocity + lr gradient into velocity: velocity -= l2 w + l1 sign(w); w += velocity.</summary>
    void WeightStep(DeviceSlice weights, DeviceSlice velocity, float l2, float l1);

    /// <summary>
    /// Bernoulli-RBM free energy per row: result[r] = -v_r.b - sum_j softplus(pre[r, j] + c[j]), with pre = v W from
    /// <see cref="IDeviceArrays.Gemm"/>.
    /// </summary>
    void RbmFreeEnergyRows(DeviceSlice visible, DeviceSlice visibleBias, DeviceSlice preActivations, DeviceSlice hiddenBias, DeviceSlice result, int rows, int visibleCount, int hiddenCount);
}

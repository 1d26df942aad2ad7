using FreeEnergy.Compute.Device;
using FreeEnergy.Models;

namespace FreeEnergy.Compute.Cuda;

/// <summary>The RBM operations on the CUDA seam.</summary>
internal sealed unsafe partial class CudaDeviceArrays : IRbmDeviceOps
{
    /// <inheritdoc />
    public void GaussianVisible(DeviceSlice wh, DeviceSlice visibleBias, DeviceSlice sigma, DeviceSlice output, int rows, int columns, ulong seed, ulong stream, ulong startIndex)
    {
        long n = (long)rows * columns;
        wh.Need(n, nameof(wh)); output.Need(n, nameof(output)); visibleBias.Need(columns, nameof(visibleBias)); sigma.Need(columns, nameof(sigma));
        ulong pw = P(wh), pa = P(visibleBias), ps = P(sigma), po = P(output), sd = seed, st = stream, i0 = startIndex;
        int r = rows, c = columns;
        void** args = stackalloc void*[] { &pw, &pa, &ps, &po, &r, &c, &sd, &st, &i0 };
        K.LaunchElementwise("fe_gaussian_visible", n, args);
    }

    /// <inheritdoc />
    public void GaussianRbmFreeEnergyRows(DeviceSlice visible, DeviceSlice visibleBias, DeviceSlice sigma, DeviceSlice preActivations, DeviceSlice hiddenBias, DeviceSlice result, int rows, int visibleCount, int hiddenCount)
    {
        visible.Need((long)rows * visibleCount, nameof(visible)); visibleBias.Need(visibleCount, nameof(visibleBias)); sigma.Need(visibleCount, nameof(sigma));
        preActivations.Need((long)rows * hiddenCount, nameof(preActivations)); hiddenBias.Need(hiddenCount, nameof(hiddenBias)); result.Need(rows, nameof(result));
        ulong pv = P(visible), pa = P(visibleBias), ps = P(sigma), pp = P(preActivations), pc = P(hiddenBias), pr = P(result);
        int r = rows, d = visibleCount, h = hiddenCount;
        void** args = stackalloc void*[] { &pv, &pa, &ps, &pp, &pc, &pr, &r, &d, &h };
        K.LaunchPerRow("fe_gaussian_rbm_free_energy_rows", rows, Math.Max(visibleCount, hiddenCount), args);
    }

    /// <inheritdoc />
    public void WeightStep(DeviceSlice weights, DeviceSlice velocity, float l2, float l1)
    {
        int n = weights.Length;
        velocity.Need(n, nameof(velocity));
        ulong pw = P(weights), pv = P(velocity);
        float a = l2, b = l1;
        void** args = stackalloc void*[] { &pw, &pv, &n, &a, &b };
        K.LaunchElementwise("fe_weight_step", n, args);
    }

    /// <inheritdoc />
    public void RbmFreeEnergyRows(DeviceSlice visible, DeviceSlice visibleBias, DeviceSlice preActivations, DeviceSlice hiddenBias, DeviceSlice result, int rows, int visibleCount, int hiddenCount)
    {
        visible.Need((long)rows * visibleCount, nameof(visible)); visibleBias.Need(visibleCount, nameof(visibleBias));
        preActivations.Need((long)rows * hiddenCount, nameof(preActivations)); hiddenBias.Need(hiddenCount, nameof(hiddenBias));
        result.Need(rows, nameof(result));
        ulong pv = P(visible), pb = P(visibleBias), pp = P(preActivations), pc = P(hiddenBias), pr = P(result);
        int r = rows, d = visibleCount, h = hiddenCount;
        void** args = stackalloc void*[] { &pv, &pb, &pp, &pc, &pr, &r, &d, &h };
        K.LaunchPerRow("fe_rbm_free_energy_rows", rows, Math.Max(visibleCount, hiddenCount), args);
    }
}

using FreeEnergy.Compute.Device;
using FreeEnergy.Estimation;

namespace FreeEnergy.Compute.Cuda;

/// <summary>The AIS operations on the CUDA seam.</summary>
internal sealed unsafe partial class CudaDeviceArrays : IAisDeviceOps
{
    /// <inheritdoc />
    public void TemperedSigmoid(DeviceSlice x, float beta, DeviceSlice baseBias, DeviceSlice difference, DeviceSlice y, int rows, int columns)
    {
        long n = (long)rows * columns;
        x.Need(n, nameof(x)); y.Need(n, nameof(y)); baseBias.Need(columns, nameof(baseBias)); difference.Need(columns, nameof(difference));
        ulong px = P(x), pa = P(baseBias), pd = P(difference), py = P(y);
        float b = beta;
        int r = rows, c = columns;
        void** args = stackalloc void*[] { &px, &b, &pa, &pd, &py, &r, &c };
        K.LaunchElementwise("fe_tempered_sigmoid", n, args);
    }

    /// <inheritdoc />
    public void AisLogWeights(DeviceSlice preActivations, DeviceSlice visible, DeviceSlice difference, DeviceSlice logWeights, DeviceSlice compensation,
        int rows, int visibleCount, int hiddenCount, double betaPrevious, double betaNow)
    {
        preActivations.Need((long)rows * hiddenCount, nameof(preActivations)); visible.Need((long)rows * visibleCount, nameof(visible));
        difference.Need(visibleCount, nameof(difference)); logWeights.Need(rows, nameof(logWeights)); compensation.Need(rows, nameof(compensation));
        ulong pp = P(preActivations), pv = P(visible), pd = P(difference), pw = P(logWeights), pc = P(compensation);
        int r = rows, d = visibleCount, h = hiddenCount;
        double b0 = betaPrevious, b1 = betaNow;
        void** args = stackalloc void*[] { &pp, &pv, &pd, &pw, &pc, &r, &d, &h, &b0, &b1 };
        K.LaunchPerRow("fe_ais_log_weights", rows, Math.Max(visibleCount, hiddenCount), args);
    }
}

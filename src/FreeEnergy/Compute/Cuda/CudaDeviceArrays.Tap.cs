using FreeEnergy.Compute.Device;
using FreeEnergy.Estimation;

namespace FreeEnergy.Compute.Cuda;

/// <summary>The TAP operations on the CUDA seam.</summary>
internal sealed unsafe partial class CudaDeviceArrays : ITapDeviceOps
{
    /// <inheritdoc />
    public void TapPowers(DeviceSlice weights, DeviceSlice square, DeviceSlice? cube)
    {
        int n = weights.Length;
        square.Need(n, nameof(square)); cube?.Need(n, nameof(cube));
        ulong pw = P(weights), ps = P(square), pc = cube is { } c ? P(c) : 0UL;
        void** args = stackalloc void*[] { &pw, &ps, &pc, &n };
        K.LaunchElementwise("fe_tap_powers", n, args);
    }

    /// <inheritdoc />
    public void TapMoments(DeviceSlice magnetization, DeviceSlice variance, DeviceSlice? skewness)
    {
        int n = magnetization.Length;
        variance.Need(n, nameof(variance)); skewness?.Need(n, nameof(skewness));
        ulong pm = P(magnetization), pv = P(variance), pq = skewness is { } q ? P(q) : 0UL;
        void** args = stackalloc void*[] { &pm, &pv, &pq, &n };
        K.LaunchElementwise("fe_tap_moments", n, args);
    }

    /// <inheritdoc />
    public void TapUpdate(DeviceSlice field, DeviceSlice second, DeviceSlice? third, DeviceSlice bias, DeviceSlice magnetization, int rows, int columns, float damping)
    {
        long n = (long)rows * columns;
        field.Need(n, nameof(field)); second.Need(n, nameof(second)); third?.Need(n, nameof(third));
        bias.Need(columns, nameof(bias)); magnetization.Need(n, nameof(magnetization));
        ulong pf = P(field), ps = P(second), pt = third is { } t ? P(t) : 0UL, pb = P(bias), pm = P(magnetization);
        int r = rows, c = columns;
        float keep = damping, eps = Estimation.TapExpansion.Epsilon;
        void** args = stackalloc void*[] { &pf, &ps, &pt, &pb, &pm, &r, &c, &keep, &eps };
        K.LaunchElementwise("fe_tap_update", n, args);
    }

    /// <inheritdoc />
    public void TapWeightVelocity(DeviceSlice weights, DeviceSlice first, DeviceSlice second, DeviceSlice? third, DeviceSlice velocity, float scale)
    {
        int n = weights.Length;
        first.Need(n, nameof(first)); second.Need(n, nameof(second)); third?.Need(n, nameof(third)); velocity.Need(n, nameof(velocity));
        ulong pw = P(weights), p1 = P(first), p2 = P(second), p3 = third is { } t ? P(t) : 0UL, pv = P(velocity);
        float a = scale;
        void** args = stackalloc void*[] { &pw, &p1, &p2, &p3, &pv, &n, &a };
        K.LaunchElementwise("fe_tap_weight_velocity", n, args);
    }
}

using FreeEnergy.Compute.Device;
using FreeEnergy.Models;

namespace FreeEnergy.Estimation;

/// <summary>
/// The TAP (EMF) expansion's operations on a device seam, beside <see cref="TapExpansion"/> whose arithmetic they follow:
/// the weight powers, the moments, the damped fixed-point update and the negative phase into the weight velocity.
/// </summary>
internal interface ITapDeviceOps : IRbmDeviceOps
{
    /// <summary>TAP training: square = w^2 and, when <paramref name="cube"/> is given (third order), cube = w^2 w, over all of <paramref name="weights"/>.</summary>
    void TapPowers(DeviceSlice weights, DeviceSlice square, DeviceSlice? cube);

    /// <summary>TAP training: variance = m - m^2 and, when <paramref name="skewness"/> is given, skewness = variance (1/2 - m), over all of <paramref name="magnetization"/>.</summary>
    void TapMoments(DeviceSlice magnetization, DeviceSlice variance, DeviceSlice? skewness);

    /// <summary>
    /// One damped TAP fixed-point update (as <see cref="TapExpansion.Iterate"/>) of the rows x columns
    /// <paramref name="magnetization"/> from the other layer's products field = m W, second = c(m) W^2 and third =
    /// q(m) W^3 (absent at second order): f = field + (bias + (1/2 - m) second) [+ (1/3 - 2 c(m)) third];
    /// m = clamp(damping m + (1 - damping) sigm(f), eps, 1 - eps) with eps = <see cref="TapExpansion.Epsilon"/>.
    /// </summary>
    void TapUpdate(DeviceSlice field, DeviceSlice second, DeviceSlice? third, DeviceSlice bias, DeviceSlice magnetization, int rows, int columns, float damping);

    /// <summary>
    /// The TAP negative phase into the weight velocity: velocity += scale (first + second w [+ w^2 third]) over all of
    /// <paramref name="weights"/>, where first, second and third are the moment products of <see cref="TapExpansion.Gradient"/>.
    /// </summary>
    void TapWeightVelocity(DeviceSlice weights, DeviceSlice first, DeviceSlice second, DeviceSlice? third, DeviceSlice velocity, float scale);
}

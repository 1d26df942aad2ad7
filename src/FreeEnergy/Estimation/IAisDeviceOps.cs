using FreeEnergy.Compute.Device;

namespace FreeEnergy.Estimation;

/// <summary>
/// Annealed importance sampling's operations on a device seam, beside <see cref="DeviceAis"/>: the tempered conditional
/// means and the per-temperature log-weight update.
/// </summary>
internal interface IAisDeviceOps : IDeviceArrays
{
    /// <summary>y[r, c] = sigmoid(beta x[r, c] + baseBias[c] + beta difference[c]) (x and y may be the same slice): tempered conditional means.</summary>
    void TemperedSigmoid(DeviceSlice x, float beta, DeviceSlice baseBias, DeviceSlice difference, DeviceSlice y, int rows, int columns);

    /// <summary>
    /// One AIS temperature step of a Bernoulli RBM: logWeights[r] += (betaNow - betaPrevious) difference.v_r +
    /// sum_j softplus(betaNow pre[r, j]) - softplus(betaPrevious pre[r, j]), with Kahan compensation in <paramref name="compensation"/>.
    /// </summary>
    void AisLogWeights(DeviceSlice preActivations, DeviceSlice visible, DeviceSlice difference, DeviceSlice logWeights, DeviceSlice compensation,
        int rows, int visibleCount, int hiddenCount, double betaPrevious, double betaNow);
}

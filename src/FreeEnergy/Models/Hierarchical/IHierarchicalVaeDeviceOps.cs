using FreeEnergy.Compute.Device;

namespace FreeEnergy.Models;

/// <summary>
/// The two-level VAE's middle-level operations on a device seam (<see cref="IDeviceArrays"/>), beside
/// <see cref="IVaeDeviceOps"/>: the CUDA seam runs them as kernels (Kernels/hierarchical_vae.cu), the host seam with
/// <see cref="HierarchicalVaeKernels"/> pair by pair (so it reproduces the CPU engine). Pairs are rows of [pairs, Z1];
/// heads are [mean | log variance]; each pair's terms are weighted weight * pairScale[p].
/// </summary>
internal interface IHierarchicalVaeDeviceOps : IDeviceArrays
{
    /// <summary>left[r] = the first <paramref name="left"/> values of source row r, right[r] = the other <paramref name="right"/>.</summary>
    void SplitColumns(DeviceSlice source, int rows, int left, int right, DeviceSlice leftTarget, DeviceSlice rightTarget);

    /// <summary>result[p] = log q(z1|x) - log p(z1|z2) (as <see cref="HierarchicalVaeKernels.LogRatio"/>).</summary>
    void PriorLogRatioRows(DeviceSlice z1, DeviceSlice head1, DeviceSlice eps1, DeviceSlice priorHead, DeviceSlice result, int pairs, int latent);

    /// <summary>
    /// The gradient of w_p (-log p(z1|z2)) with w_p = <paramref name="weight"/> pairScale[p] into the prior head's gradient,
    /// its dL/dz1 added to <paramref name="z1Grad"/> (as <see cref="HierarchicalVaeKernels.PriorBackward"/>).
    /// </summary>
    void PriorBackward(DeviceSlice z1, DeviceSlice priorHead, DeviceSlice pairScale, float weight, DeviceSlice priorHeadGrad, DeviceSlice z1Grad, int pairs, int latent);

    /// <summary>
    /// q(z1|x)'s head gradient from dL/dz1 = <paramref name="z1Grad"/> + <paramref name="z1GradUpper"/> (the sum stored in
    /// <paramref name="z1Grad"/>) and the log q term's weight w_p = <paramref name="weight"/> pairScale[p] (as
    /// <see cref="HierarchicalVaeKernels.PosteriorHeadBackward"/>).
    /// </summary>
    void PosteriorHeadBackward(DeviceSlice head1, DeviceSlice eps1, DeviceSlice z1Grad, DeviceSlice z1GradUpper, DeviceSlice pairScale, float weight,
        DeviceSlice headGrad, int pairs, int latent);
}

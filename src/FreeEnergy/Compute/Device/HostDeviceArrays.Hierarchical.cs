using System.Numerics.Tensors;
using FreeEnergy.Models;

namespace FreeEnergy.Compute.Device;

/// <summary>
/// The two-level VAE's middle-level operations on the host seam: the CPU engine's pair kernels
/// (<see cref="HierarchicalVaeKernels"/>), pairs split across the backend's threads (each pair's result depends only on
/// that pair, so the bits do not depend on the thread count).
/// </summary>
internal sealed partial class HostDeviceArrays : IHierarchicalVaeDeviceOps
{
    /// <summary>Pairs per parallel part for <paramref name="latent"/> values a pair.</summary>
    private static int PairGrain(int latent) => Math.Max(1, 2048 / Math.Max(1, latent));

    /// <inheritdoc />
    public void SplitColumns(DeviceSlice source, int rows, int left, int right, DeviceSlice leftTarget, DeviceSlice rightTarget)
    {
        int width = left + right;
        var s = S(source.Need((long)rows * width, nameof(source)));
        var l = S(leftTarget.Need((long)rows * left, nameof(leftTarget))); var r = S(rightTarget.Need((long)rows * right, nameof(rightTarget)));
        for (int p = 0; p < rows; p++)
        {
            s.Slice(p * width, left).CopyTo(l.Slice(p * left, left));
            s.Slice(p * width + left, right).CopyTo(r.Slice(p * right, right));
        }
    }

    /// <inheritdoc />
    public void PriorLogRatioRows(DeviceSlice z1, DeviceSlice head1, DeviceSlice eps1, DeviceSlice priorHead, DeviceSlice result, int pairs, int latent)
    {
        var z = S(z1.Need((long)pairs * latent, nameof(z1))); var h = S(head1.Need(2L * pairs * latent, nameof(head1)));
        var e = S(eps1.Need((long)pairs * latent, nameof(eps1))); var ph = S(priorHead.Need(2L * pairs * latent, nameof(priorHead)));
        var f = S(result.Need(pairs, nameof(result)));
        for (int p = 0; p < pairs; p++)
            f[p] = (float)HierarchicalVaeKernels.LogRatio(z.Slice(p * latent, latent), h.Slice(p * 2 * latent + latent, latent), e.Slice(p * latent, latent),
                ph.Slice(p * 2 * latent, 2 * latent));
    }

    /// <inheritdoc />
    public void PriorBackward(DeviceSlice z1, DeviceSlice priorHead, DeviceSlice pairScale, float weight, DeviceSlice priorHeadGrad, DeviceSlice z1Grad, int pairs, int latent)
    {
        z1.Need((long)pairs * latent, nameof(z1)); priorHead.Need(2L * pairs * latent, nameof(priorHead)); pairScale.Need(pairs, nameof(pairScale));
        priorHeadGrad.Need(2L * pairs * latent, nameof(priorHeadGrad)); z1Grad.Need((long)pairs * latent, nameof(z1Grad));
        Backend.For(pairs, PairGrain(latent), (start, end) =>
        {
            var z = S(z1); var ph = S(priorHead); var scale = S(pairScale); var g = S(priorHeadGrad); var dz = S(z1Grad);
            for (int p = start; p < end; p++)
                HierarchicalVaeKernels.PriorBackward(z.Slice(p * latent, latent), ph.Slice(p * 2 * latent, 2 * latent), weight * scale[p],
                    g.Slice(p * 2 * latent, 2 * latent), dz.Slice(p * latent, latent));
        });
    }

    /// <inheritdoc />
    public void PosteriorHeadBackward(DeviceSlice head1, DeviceSlice eps1, DeviceSlice z1Grad, DeviceSlice z1GradUpper, DeviceSlice pairScale, float weight,
        DeviceSlice headGrad, int pairs, int latent)
    {
        head1.Need(2L * pairs * latent, nameof(head1)); eps1.Need((long)pairs * latent, nameof(eps1)); z1Grad.Need((long)pairs * latent, nameof(z1Grad));
        z1GradUpper.Need((long)pairs * latent, nameof(z1GradUpper)); pairScale.Need(pairs, nameof(pairScale)); headGrad.Need(2L * pairs * latent, nameof(headGrad));
        Backend.For(pairs, PairGrain(latent), (start, end) =>
        {
            var h = S(head1); var e = S(eps1); var dz = S(z1Grad); var upper = S(z1GradUpper); var scale = S(pairScale); var g = S(headGrad);
            for (int p = start; p < end; p++)
            {
                var d = dz.Slice(p * latent, latent);
                TensorPrimitives.Add(d, upper.Slice(p * latent, latent), d);
                HierarchicalVaeKernels.PosteriorHeadBackward(h.Slice(p * 2 * latent, 2 * latent), e.Slice(p * latent, latent), d, weight * scale[p],
                    g.Slice(p * 2 * latent, 2 * latent));
            }
        });
    }
}

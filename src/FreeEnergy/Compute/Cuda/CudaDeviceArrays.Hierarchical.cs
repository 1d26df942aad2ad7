using FreeEnergy.Compute.Device;
using FreeEnergy.Models;

namespace FreeEnergy.Compute.Cuda;

/// <summary>The two-level VAE's middle-level operations on the CUDA seam (kernels of Kernels/hierarchical_vae.cu).</summary>
internal sealed unsafe partial class CudaDeviceArrays : IHierarchicalVaeDeviceOps
{
    /// <inheritdoc />
    public void SplitColumns(DeviceSlice source, int rows, int left, int right, DeviceSlice leftTarget, DeviceSlice rightTarget)
    {
        long n = (long)rows * (left + right);
        source.Need(n, nameof(source)); leftTarget.Need((long)rows * left, nameof(leftTarget)); rightTarget.Need((long)rows * right, nameof(rightTarget));
        ulong ps = P(source), pl = P(leftTarget), pr = P(rightTarget);
        int r = rows, l = left, rw = right;
        void** args = stackalloc void*[] { &ps, &pl, &pr, &r, &l, &rw };
        K.LaunchElementwise("fe_split_columns", n, args);
    }

    /// <inheritdoc />
    public void PriorLogRatioRows(DeviceSlice z1, DeviceSlice head1, DeviceSlice eps1, DeviceSlice priorHead, DeviceSlice result, int pairs, int latent)
    {
        long n = (long)pairs * latent;
        z1.Need(n, nameof(z1)); head1.Need(2 * n, nameof(head1)); eps1.Need(n, nameof(eps1)); priorHead.Need(2 * n, nameof(priorHead)); result.Need(pairs, nameof(result));
        ulong pz = P(z1), ph = P(head1), pe = P(eps1), pp = P(priorHead), pr = P(result);
        int p = pairs, l = latent;
        void** args = stackalloc void*[] { &pz, &ph, &pe, &pp, &pr, &p, &l };
        K.LaunchElementwise("fe_prior_log_ratio_rows", pairs, args);
    }

    /// <inheritdoc />
    public void PriorBackward(DeviceSlice z1, DeviceSlice priorHead, DeviceSlice pairScale, float weight, DeviceSlice priorHeadGrad, DeviceSlice z1Grad, int pairs, int latent)
    {
        long n = (long)pairs * latent;
        z1.Need(n, nameof(z1)); priorHead.Need(2 * n, nameof(priorHead)); pairScale.Need(pairs, nameof(pairScale));
        priorHeadGrad.Need(2 * n, nameof(priorHeadGrad)); z1Grad.Need(n, nameof(z1Grad));
        ulong pz = P(z1), pp = P(priorHead), ps = P(pairScale), pg = P(priorHeadGrad), pd = P(z1Grad);
        float w = weight;
        int p = pairs, l = latent;
        void** args = stackalloc void*[] { &pz, &pp, &ps, &w, &pg, &pd, &p, &l };
        K.LaunchElementwise("fe_prior_backward", n, args);
    }

    /// <inheritdoc />
    public void PosteriorHeadBackward(DeviceSlice head1, DeviceSlice eps1, DeviceSlice z1Grad, DeviceSlice z1GradUpper, DeviceSlice pairScale, float weight,
        DeviceSlice headGrad, int pairs, int latent)
    {
        long n = (long)pairs * latent;
        head1.Need(2 * n, nameof(head1)); eps1.Need(n, nameof(eps1)); z1Grad.Need(n, nameof(z1Grad)); z1GradUpper.Need(n, nameof(z1GradUpper));
        pairScale.Need(pairs, nameof(pairScale)); headGrad.Need(2 * n, nameof(headGrad));
        ulong ph = P(head1), pe = P(eps1), pd = P(z1Grad), pu = P(z1GradUpper), ps = P(pairScale), pg = P(headGrad);
        float w = weight;
        int p = pairs, l = latent;
        void** args = stackalloc void*[] { &ph, &pe, &pd, &pu, &ps, &w, &pg, &p, &l };
        K.LaunchElementwise("fe_posterior_head_backward", n, args);
    }
}

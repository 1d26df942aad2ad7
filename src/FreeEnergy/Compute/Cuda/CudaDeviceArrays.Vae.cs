using FreeEnergy.Compute.Device;
using FreeEnergy.Models;

namespace FreeEnergy.Compute.Cuda;

/// <summary>The VAE's operations on the CUDA seam (kernels of Kernels/vae.cu).</summary>
internal sealed unsafe partial class CudaDeviceArrays : IVaeDeviceOps
{
    /// <inheritdoc />
    public void Dense(DeviceSlice input, DeviceSlice weight, DeviceSlice bias, int rows, int inputs, int outputs, Activation activation, DeviceSlice output)
    {
        Gemm(Transpose.None, Transpose.None, rows, outputs, inputs, 1f, input, inputs, weight, outputs, 0f, output, outputs);
        long n = (long)rows * outputs;
        output.Need(n, nameof(output)); bias.Need(outputs, nameof(bias));
        ulong px = P(output), pb = P(bias);
        int r = rows, c = outputs, f = (int)activation;
        void** args = stackalloc void*[] { &px, &pb, &r, &c, &f };
        K.LaunchElementwise("fe_bias_activation", n, args);
    }

    /// <inheritdoc />
    public void ActivationBackward(DeviceSlice grad, DeviceSlice post, int rows, int columns, Activation activation)
    {
        int n = rows * columns;
        grad.Need(n, nameof(grad)); post.Need(n, nameof(post));
        ulong pg = P(grad), pp = P(post);
        int f = (int)activation;
        void** args = stackalloc void*[] { &pg, &pp, &n, &f };
        K.LaunchElementwise("fe_activation_backward", n, args);
    }

    /// <inheritdoc />
    public void Reparameterize(DeviceSlice head, DeviceSlice eps, DeviceSlice z, int rows, int latent)
    {
        long n = (long)rows * latent;
        head.Need(2 * n, nameof(head)); eps.Need(n, nameof(eps)); z.Need(n, nameof(z));
        ulong ph = P(head), pe = P(eps), pz = P(z);
        int r = rows, l = latent;
        void** args = stackalloc void*[] { &ph, &pe, &pz, &r, &l };
        K.LaunchElementwise("fe_reparameterize", n, args);
    }

    /// <inheritdoc />
    public void BernoulliLogitLossRows(DeviceSlice x, DeviceSlice logits, DeviceSlice result, int rows, int columns, float scale)
    {
        x.Need((long)rows * columns, nameof(x)); logits.Need((long)rows * columns, nameof(logits)); result.Need(rows, nameof(result));
        ulong px = P(x), pl = P(logits), pr = P(result);
        int r = rows, c = columns;
        float s = scale;
        void** args = stackalloc void*[] { &px, &pl, &pr, &r, &c, &s };
        K.LaunchPerRow("fe_bernoulli_logit_loss_rows", rows, columns, args);
    }

    /// <inheritdoc />
    public void KlRows(DeviceSlice head, DeviceSlice result, int rows, int latent, float priorScale)
    {
        head.Need(2L * rows * latent, nameof(head)); result.Need(rows, nameof(result));
        ulong ph = P(head), pr = P(result);
        int r = rows, l = latent;
        float s = priorScale;
        void** args = stackalloc void*[] { &ph, &pr, &r, &l, &s };
        K.LaunchElementwise("fe_kl_rows", rows, args);
    }

    /// <inheritdoc />
    public void HeadBackward(DeviceSlice head, DeviceSlice eps, DeviceSlice dz, DeviceSlice headGrad, int rows, int latent, float klWeight, float priorScale)
    {
        long n = (long)rows * latent;
        head.Need(2 * n, nameof(head)); eps.Need(n, nameof(eps)); dz.Need(n, nameof(dz)); headGrad.Need(2 * n, nameof(headGrad));
        ulong ph = P(head), pe = P(eps), pd = P(dz), pg = P(headGrad);
        int r = rows, l = latent;
        float k = klWeight, s = priorScale;
        void** args = stackalloc void*[] { &ph, &pe, &pd, &pg, &r, &l, &k, &s };
        K.LaunchElementwise("fe_head_backward", n, args);
    }

    /// <inheritdoc />
    /// <remarks>Importance-weighted training runs on the CPU; the device has no kernel for it yet.</remarks>
    public void ImportanceHeadBackward(DeviceSlice head, DeviceSlice eps, DeviceSlice z, DeviceSlice dz, DeviceSlice weights, DeviceSlice headGrad, int rows, int latent, float priorScale)
        => throw new NotSupportedException("Importance-weighted VAE training runs on the CPU; the CUDA device has no kernel for it.");

    /// <inheritdoc />
    public void ReparameterizePairs(DeviceSlice head, DeviceSlice noise, DeviceSlice eps, DeviceSlice z, int pairs, int samples, int latent)
    {
        long n = (long)pairs * latent;
        int rows = (pairs + samples - 1) / samples;
        head.Need(2L * rows * latent, nameof(head)); noise.Need((long)samples * latent, nameof(noise)); eps.Need(n, nameof(eps)); z.Need(n, nameof(z));
        ulong ph = P(head), pn = P(noise), pe = P(eps), pz = P(z);
        int p = pairs, k = samples, l = latent;
        void** args = stackalloc void*[] { &ph, &pn, &pe, &pz, &p, &k, &l };
        K.LaunchElementwise("fe_reparameterize_pairs", n, args);
    }

    /// <inheritdoc />
    public void LogRatioPairs(DeviceSlice z, DeviceSlice head, DeviceSlice eps, DeviceSlice result, int pairs, int samples, int latent, float priorScale)
    {
        int rows = (pairs + samples - 1) / samples;
        z.Need((long)pairs * latent, nameof(z)); head.Need(2L * rows * latent, nameof(head)); eps.Need((long)pairs * latent, nameof(eps)); result.Need(pairs, nameof(result));
        ulong pz = P(z), ph = P(head), pe = P(eps), pr = P(result);
        int p = pairs, k = samples, l = latent;
        float s = priorScale;
        void** args = stackalloc void*[] { &pz, &ph, &pe, &pr, &p, &k, &l, &s };
        K.LaunchElementwise("fe_log_ratio_pairs", pairs, args);
    }

}

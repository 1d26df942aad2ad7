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
    public void ImportanceHeadBackward(DeviceSlice head, DeviceSlice eps, DeviceSlice z, DeviceSlice dz, DeviceSlice weights, DeviceSlice headGrad, int rows, int latent, float priorScale)
    {
        long n = (long)rows * latent;
        head.Need(2 * n, nameof(head)); eps.Need(n, nameof(eps)); z.Need(n, nameof(z)); dz.Need(n, nameof(dz)); weights.Need(rows, nameof(weights));
        headGrad.Need(2 * n, nameof(headGrad));
        ulong ph = P(head), pe = P(eps), pz = P(z), pd = P(dz), pw = P(weights), pg = P(headGrad);
        int r = rows, l = latent;
        float s = priorScale;
        void** args = stackalloc void*[] { &ph, &pe, &pz, &pd, &pw, &pg, &r, &l, &s };
        K.LaunchElementwise("fe_importance_head_backward", n, args);
    }

    /// <inheritdoc />
    public void ImportanceWeights(DeviceSlice reconstruction, DeviceSlice ratio1, float weight1, DeviceSlice ratio2, float weight2, int rows, int samples,
        float batchScale, float latentWeight, DeviceSlice pairScale, DeviceSlice pairWeight, DeviceSlice bound)
    {
        long pairs = (long)rows * samples;
        reconstruction.Need(pairs, nameof(reconstruction)); ratio1.Need(pairs, nameof(ratio1)); ratio2.Need(pairs, nameof(ratio2));
        pairScale.Need(pairs, nameof(pairScale)); pairWeight.Need(pairs, nameof(pairWeight)); bound.Need(rows, nameof(bound));
        ulong pa = P(reconstruction), pb = P(ratio1), pc = P(ratio2), ps = P(pairScale), pw = P(pairWeight), pf = P(bound);
        int r = rows, k = samples;
        float w1 = weight1, w2 = weight2, scale = batchScale, latentW = latentWeight;
        void** args = stackalloc void*[] { &pa, &pb, &w1, &pc, &w2, &r, &k, &scale, &latentW, &ps, &pw, &pf };
        K.LaunchElementwise("fe_importance_weights", rows, args);
    }

    /// <inheritdoc />
    public void ScaleRows(DeviceSlice matrix, DeviceSlice scale, int rows, int columns)
    {
        long n = (long)rows * columns;
        matrix.Need(n, nameof(matrix)); scale.Need(rows, nameof(scale));
        ulong pm = P(matrix), ps = P(scale);
        int r = rows, c = columns;
        void** args = stackalloc void*[] { &pm, &ps, &r, &c };
        K.LaunchElementwise("fe_scale_rows", n, args);
    }

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

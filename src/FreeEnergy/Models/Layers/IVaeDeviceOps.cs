using FreeEnergy.Compute;
using FreeEnergy.Compute.Device;

namespace FreeEnergy.Models;

/// <summary>
/// The VAE's operations on a device seam (<see cref="IDeviceArrays"/>), beside the layers that use them; the CUDA seam
/// runs them as kernels, the host seam with <see cref="VaeKernels"/> row by row (so it reproduces the CPU engine).
/// Matrices are row-major; latent head rows are [mu (Z) | log variance (Z)].
/// </summary>
internal interface IVaeDeviceOps : IDeviceArrays
{
    /// <summary>
    /// output = activation(input weight + bias) for input [rows, inputs] and weight [inputs, outputs], in one pass over
    /// each block of the product where the device has such a GEMM.
    /// </summary>
    void Dense(DeviceSlice input, DeviceSlice weight, DeviceSlice bias, int rows, int inputs, int outputs, Activation activation, DeviceSlice output);

    /// <summary>grad[r, c] *= activation'(.) given the activation's outputs <paramref name="post"/>, rows x columns.</summary>
    void ActivationBackward(DeviceSlice grad, DeviceSlice post, int rows, int columns, Activation activation);

    /// <summary>z[r, j] = mu[r, j] + exp(lv[r, j] / 2) eps[r, j].</summary>
    void Reparameterize(DeviceSlice head, DeviceSlice eps, DeviceSlice z, int rows, int latent);

    /// <summary>result[r] = -log p(x_r | logits_r) of a Bernoulli decoder; the logits are replaced by scale (sigmoid(l) - x).</summary>
    void BernoulliLogitLossRows(DeviceSlice x, DeviceSlice logits, DeviceSlice result, int rows, int columns, float scale);

    /// <summary>result[r] = KL(N(mu_r, e^lv_r) || N(0, priorScale^2 I)).</summary>
    void KlRows(DeviceSlice head, DeviceSlice result, int rows, int latent, float priorScale);

    /// <summary>The latent heads' gradient from dz and the KL term (as <see cref="VaeKernels.HeadBackward"/>).</summary>
    void HeadBackward(DeviceSlice head, DeviceSlice eps, DeviceSlice dz, DeviceSlice headGrad, int rows, int latent, float klWeight, float priorScale);

    /// <summary>
    /// The latent heads' gradient of an importance-weighted objective from dz and one weight per row (as
    /// <see cref="VaeKernels.ImportanceHeadBackward"/>).
    /// </summary>
    void ImportanceHeadBackward(DeviceSlice head, DeviceSlice eps, DeviceSlice z, DeviceSlice dz, DeviceSlice weights, DeviceSlice headGrad, int rows, int latent, float priorScale);

    /// <summary>
    /// The normalised importance weights of <paramref name="rows"/> rows held <paramref name="samples"/> times (pairs
    /// p = r samples + s) from log w_p = -(reconstruction[p] + weight1 ratio1[p] + weight2 ratio2[p]): bound[r] =
    /// -log (1/k) sum_s w_p, pairScale[p] = batchScale w_p / sum_s w_p and pairWeight[p] = latentWeight pairScale[p].
    /// With k = 1 the bound is the pair's term itself and pairScale = batchScale.
    /// </summary>
    void ImportanceWeights(DeviceSlice reconstruction, DeviceSlice ratio1, float weight1, DeviceSlice ratio2, float weight2, int rows, int samples,
        float batchScale, float latentWeight, DeviceSlice pairScale, DeviceSlice pairWeight, DeviceSlice bound);

    /// <summary>matrix[r, c] *= scale[r] for a [rows, columns] matrix.</summary>
    void ScaleRows(DeviceSlice matrix, DeviceSlice scale, int rows, int columns);

    /// <summary>
    /// The scoring draws of <paramref name="pairs"/> (row, sample) pairs p = r samples + s: eps[p] = noise[s] (a fixed
    /// [samples x latent] table) and z[p] = mu[r] + exp(lv[r] / 2) eps[p].
    /// </summary>
    void ReparameterizePairs(DeviceSlice head, DeviceSlice noise, DeviceSlice eps, DeviceSlice z, int pairs, int samples, int latent);

    /// <summary>result[p] = log q(z_p|x_r) - log p(z_p) up to the cancelling constants (as <see cref="VaeKernels.LogRatio"/>) for each pair.</summary>
    void LogRatioPairs(DeviceSlice z, DeviceSlice head, DeviceSlice eps, DeviceSlice result, int pairs, int samples, int latent, float priorScale);
}

// The two-level VAE's middle level (FreeEnergy.Models.HierarchicalVaeKernels on the GPU): pairs p of rows [pairs x Z1],
// the posterior head [mu1 | lv1] of q(z1|x), the prior head [m | v] of p(z1|z2), one scale per pair.

// left[r, j] = source[r, j] (j < l) and right[r, j] = source[r, l + j] (j < rw): one row of draws split into two levels.
extern "C" __global__ void fe_split_columns(const float* source, float* left, float* right, int rows, int l, int rw)
{
    int width = l + rw, n = rows * width;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        int r = i / width, j = i - r * width;
        if (j < l) left[(long long)r * l + j] = source[i];
        else right[(long long)r * rw + j - l] = source[i];
    }
}

// result[p] = log q(z1|x) - log p(z1|z2) = sum_j -lv1/2 - eps1^2/2 + v/2 + (z1 - m)^2 e^-v / 2, one thread per pair.
extern "C" __global__ void fe_prior_log_ratio_rows(const float* z1, const float* head1, const float* eps1, const float* priorHead, float* result,
    int pairs, int latent)
{
    for (int p = blockIdx.x * blockDim.x + threadIdx.x; p < pairs; p += blockDim.x * gridDim.x)
    {
        const float* h = head1 + (long long)p * 2 * latent;
        const float* ph = priorHead + (long long)p * 2 * latent;
        double s = 0.0;
        for (int j = 0; j < latent; j++)
        {
            long long i = (long long)p * latent + j;
            double e = eps1[i], d = (double)z1[i] - ph[j], v = ph[latent + j];
            s += -0.5 * h[latent + j] - 0.5 * e * e + 0.5 * v + 0.5 * d * d * exp(-v);
        }
        result[p] = (float)s;
    }
}

// The gradient of w (-log p(z1|z2)) with w = weight pairScale[p]: d m = -w (z1 - m) e^-v, d v = w (1 - (z1 - m)^2 e^-v) / 2,
// and w (z1 - m) e^-v added to z1Grad.
extern "C" __global__ void fe_prior_backward(const float* z1, const float* priorHead, const float* pairScale, float weight, float* priorHeadGrad,
    float* z1Grad, int pairs, int latent)
{
    int n = pairs * latent;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        int p = i / latent, j = i - p * latent;
        const float* ph = priorHead + (long long)p * 2 * latent;
        float* g = priorHeadGrad + (long long)p * 2 * latent;
        float w = weight * pairScale[p];
        float d = z1[i] - ph[j], iv = expf(-ph[latent + j]);
        float gz = w * d * iv;
        g[j] = -gz;
        g[latent + j] = 0.5f * (w - d * gz);
        z1Grad[i] += gz;
    }
}

// q(z1|x)'s head gradient: dz = z1Grad + z1GradUpper (stored back), d mu1 = dz, d lv1 = dz eps1 e^(lv1/2) / 2 - w / 2 with
// w = weight pairScale[p] (the log q term's weight).
extern "C" __global__ void fe_posterior_head_backward(const float* head, const float* eps, float* z1Grad, const float* z1GradUpper,
    const float* pairScale, float weight, float* headGrad, int pairs, int latent)
{
    int n = pairs * latent;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        int p = i / latent, j = i - p * latent;
        const float* h = head + (long long)p * 2 * latent;
        float* g = headGrad + (long long)p * 2 * latent;
        float w = weight * pairScale[p];
        float dz = z1Grad[i] + z1GradUpper[i];
        z1Grad[i] = dz;
        g[j] = dz;
        g[latent + j] = 0.5f * dz * eps[i] * expf(0.5f * h[latent + j]) - 0.5f * w;
    }
}

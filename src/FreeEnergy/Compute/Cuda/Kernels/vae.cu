// VAE training pieces (FreeEnergy.Models.VaeKernels on the GPU). Activations as FreeEnergy.Compute.Activation:
// 0 = none, 2 = softplus, 3 = relu, 4 = tanh. Row-major [rows x columns]; the latent head rows are [mu (Z) | log variance (Z)].

__device__ __forceinline__ float fe_vae_activate(float x, int activation)
{
    if (activation == 0) return x;
    if (activation == 3) return fmaxf(x, 0.0f);
    if (activation == 4) return tanhf(x);
    return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
}

// x[r, c] = activation(x[r, c] + bias[c]).
extern "C" __global__ void fe_bias_activation(float* x, const float* bias, int rows, int columns, int activation)
{
    int n = rows * columns;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        x[i] = fe_vae_activate(x[i] + bias[i % columns], activation);
}

// grad[i] *= activation'(.) expressed through the activation's output post[i]: relu 1[post > 0], tanh 1 - post^2,
// softplus 1 - e^-post, none 1.
extern "C" __global__ void fe_activation_backward(float* grad, const float* post, int n, int activation)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        float p = post[i];
        if (activation == 3) grad[i] = p > 0.0f ? grad[i] : 0.0f;
        else if (activation == 4) grad[i] *= 1.0f - p * p;
        else if (activation == 2) grad[i] *= 1.0f - expf(-p);
    }
}

// z[r, j] = mu[r, j] + exp(lv[r, j] / 2) eps[r, j] (the reparameterisation).
extern "C" __global__ void fe_reparameterize(const float* head, const float* eps, float* z, int rows, int latent)
{
    int n = rows * latent;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        int r = i / latent, j = i - r * latent;
        const float* h = head + (long long)r * 2 * latent;
        z[i] = h[j] + expf(0.5f * h[latent + j]) * eps[i];
    }
}

#define FE_VAE_THREADS 1024

// Bernoulli decoder, one block per row: result[r] = -log p(x_r | logits_r) = sum_c softplus(l) - x l, and the logits
// are replaced by their gradient scale * (sigmoid(l) - x).
extern "C" __global__ void fe_bernoulli_logit_loss_rows(const float* x, float* logits, float* result, int rows, int columns, float scale)
{
    __shared__ double shared[FE_VAE_THREADS];
    int r = blockIdx.x;
    if (r >= rows) return;
    const float* xr = x + (long long)r * columns;
    float* lr = logits + (long long)r * columns;
    double sum = 0.0;
    for (int c = threadIdx.x; c < columns; c += blockDim.x)
    {
        float l = lr[c], u = expf(-fabsf(l)), s = 1.0f + u;
        float sig = (l >= 0.0f ? 1.0f : u) / s;
        sum += (double)(fmaxf(l, 0.0f) - xr[c] * l) + (double)logf(s);
        lr[c] = scale * (sig - xr[c]);
    }
    int t = threadIdx.x;
    shared[t] = sum;
    __syncthreads();
    for (int k = blockDim.x >> 1; k > 0; k >>= 1)
    {
        if (t < k) shared[t] += shared[t + k];
        __syncthreads();
    }
    if (t == 0) result[r] = (float)shared[0];
}

// result[r] = KL(q(z | x_r) || N(0, priorScale^2 I)) = sum_j log r - lv/2 + (mu^2 + e^lv) / (2 r^2) - 1/2. One thread per row.
extern "C" __global__ void fe_kl_rows(const float* head, float* result, int rows, int latent, float priorScale)
{
    double r2 = (double)priorScale * priorScale, logR = log((double)priorScale);
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += blockDim.x * gridDim.x)
    {
        const float* h = head + (long long)r * 2 * latent;
        double kl = 0.0;
        for (int j = 0; j < latent; j++)
        {
            double m = h[j], lv = h[latent + j];
            kl += logR - 0.5 * lv + (m * m + exp(lv)) / (2.0 * r2) - 0.5;
        }
        result[r] = (float)kl;
    }
}

// Gradient of the latent heads: d mu = dz + klWeight mu / r^2; d lv = dz eps sigma / 2 + klWeight (sigma^2 / r^2 - 1) / 2.
extern "C" __global__ void fe_head_backward(const float* head, const float* eps, const float* dz, float* headGrad, int rows, int latent,
    float klWeight, float priorScale)
{
    int n = rows * latent;
    float inv = 1.0f / (priorScale * priorScale);
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        int r = i / latent, j = i - r * latent;
        const float* h = head + (long long)r * 2 * latent;
        float* g = headGrad + (long long)r * 2 * latent;
        float m = h[j], lv = h[latent + j];
        float sigma = expf(0.5f * lv);
        g[j] = dz[i] + klWeight * m * inv;
        g[latent + j] = 0.5f * dz[i] * eps[i] * sigma + 0.5f * klWeight * (sigma * sigma * inv - 1.0f);
    }
}

// The K scoring draws of each row, flattened as pairs p = r K + s (r < rows, s < samples):
// eps[p, j] = noise[s, j] (a fixed [samples x latent] table) and z[p, j] = mu[r, j] + exp(lv[r, j] / 2) eps[p, j].
extern "C" __global__ void fe_reparameterize_pairs(const float* head, const float* noise, float* eps, float* z, int pairs, int samples, int latent)
{
    int n = pairs * latent;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        int p = i / latent, j = i - p * latent;
        int r = p / samples, s = p - r * samples;
        const float* h = head + (long long)r * 2 * latent;
        float e = noise[(long long)s * latent + j];
        eps[i] = e;
        z[i] = h[j] + expf(0.5f * h[latent + j]) * e;
    }
}

// result[p] = log q(z_p | x) - log p(z_p) + (Z/2) log 2 pi cancelled: sum_j -lv/2 - eps^2/2 + log r + z^2 / (2 r^2)
// (FreeEnergy.Models.VaeKernels.LogRatio), one thread per pair p = r K + s.
extern "C" __global__ void fe_log_ratio_pairs(const float* z, const float* head, const float* eps, float* result, int pairs, int samples, int latent, float priorScale)
{
    double r2 = (double)priorScale * priorScale, logR = log((double)priorScale);
    for (int p = blockIdx.x * blockDim.x + threadIdx.x; p < pairs; p += blockDim.x * gridDim.x)
    {
        const float* h = head + (long long)(p / samples) * 2 * latent;
        double s = 0.0;
        for (int j = 0; j < latent; j++)
        {
            double e = eps[(long long)p * latent + j], zj = z[(long long)p * latent + j];
            s += -0.5 * h[latent + j] - 0.5 * e * e + logR + zj * zj / (2.0 * r2);
        }
        result[p] = (float)s;
    }
}

// The latent heads' gradient of an importance-weighted objective (FreeEnergy.Models.VaeKernels.ImportanceHeadBackward):
// with g = dz + w z / r^2 (w = weights[r], the pair's normalised importance weight times the KL weight and batch scale),
// d mu = g and d lv = g eps e^(lv/2) / 2 - w / 2.
extern "C" __global__ void fe_importance_head_backward(const float* head, const float* eps, const float* z, const float* dz, const float* weights,
    float* headGrad, int rows, int latent, float priorScale)
{
    int n = rows * latent;
    float r2 = priorScale * priorScale;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        int r = i / latent, j = i - r * latent;
        const float* h = head + (long long)r * 2 * latent;
        float* g = headGrad + (long long)r * 2 * latent;
        float w = weights[r];
        float d = dz[i] + w / r2 * z[i];
        g[j] = d;
        g[latent + j] = 0.5f * d * eps[i] * expf(0.5f * h[latent + j]) - 0.5f * w;
    }
}

// log w_p = -(reconstruction[p] + weight1 ratio1[p] + weight2 ratio2[p]) of one (row, sample) pair.
__device__ __forceinline__ double fe_log_weight(const float* reconstruction, const float* ratio1, float weight1, const float* ratio2, float weight2, long long p)
{
    return -((double)reconstruction[p] + (double)weight1 * ratio1[p] + (double)weight2 * ratio2[p]);
}

// The normalised importance weights of rows held `samples` times (pairs p = r samples + s), one thread per row:
// bound[r] = -log (1/k) sum_s w_p (fe_log_weight), pairScale[p] = batchScale w_p / sum_s w_p and
// pairWeight[p] = latentWeight pairScale[p]. With k = 1: bound = the ELBO's term and pairScale = batchScale.
extern "C" __global__ void fe_importance_weights(const float* reconstruction, const float* ratio1, float weight1, const float* ratio2, float weight2,
    int rows, int samples, float batchScale, float latentWeight, float* pairScale, float* pairWeight, float* bound)
{
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += blockDim.x * gridDim.x)
    {
        long long first = (long long)r * samples;
        double max = fe_log_weight(reconstruction, ratio1, weight1, ratio2, weight2, first);
        for (int s = 1; s < samples; s++) max = fmax(max, fe_log_weight(reconstruction, ratio1, weight1, ratio2, weight2, first + s));
        double sum = 0.0;
        for (int s = 0; s < samples; s++) sum += exp(fe_log_weight(reconstruction, ratio1, weight1, ratio2, weight2, first + s) - max);
        bound[r] = (float)(-(max + log(sum / samples)));
        for (int s = 0; s < samples; s++)
        {
            float w = (float)(exp(fe_log_weight(reconstruction, ratio1, weight1, ratio2, weight2, first + s) - max) / sum) * batchScale;
            pairScale[first + s] = w;
            pairWeight[first + s] = latentWeight * w;
        }
    }
}

// matrix[r, c] *= scale[r].
extern "C" __global__ void fe_scale_rows(float* matrix, const float* scale, int rows, int columns)
{
    int n = rows * columns;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        matrix[i] *= scale[i / columns];
}

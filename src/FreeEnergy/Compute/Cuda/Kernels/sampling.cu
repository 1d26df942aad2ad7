// Counter-based sampling: element i draws Philox flat index startIndex + i of (seed, stream), exactly as
// FreeEnergy.Compute.Cpu.Sampling and Philox.FillUniform/FillGaussian do on the CPU.
#include "philox.cuh"

// output[i] = 1 if u_i < probabilities[i] else 0 (Sampling.Bernoulli).
extern "C" __global__ void fe_bernoulli(const float* probabilities, float* output, int n, unsigned long long seed, unsigned long long stream, unsigned long long startIndex)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        output[i] = fe_uniform_at(seed, stream, startIndex + (unsigned long long)i) < probabilities[i] ? 1.0f : 0.0f;
}

// output[i] = mean[i] + standardDeviation * z_i (Sampling.Gaussian).
extern "C" __global__ void fe_gaussian(const float* mean, float standardDeviation, float* output, int n, unsigned long long seed, unsigned long long stream, unsigned long long startIndex)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        output[i] = mean[i] + standardDeviation * fe_gaussian_at(seed, stream, startIndex + (unsigned long long)i);
}

// Gaussian-RBM visible step: mean = wh[r, c] sigma[c] + a[c] (wh = h W^T), v = mean + sigma[c] z (z the standard
// normal at Philox index startIndex + i), output = v / sigma[c]: the visible rows as the hidden layer sees them.
extern "C" __global__ void fe_gaussian_visible(const float* wh, const float* visibleBias, const float* sigma, float* output, int rows, int columns,
    unsigned long long seed, unsigned long long stream, unsigned long long startIndex)
{
    int n = rows * columns;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        int c = i % columns;
        float s = sigma[c];
        float mean = fmaf(wh[i], s, visibleBias[c]);
        float v = mean + s * fe_gaussian_at(seed, stream, startIndex + (unsigned long long)i);
        output[i] = v / s;
    }
}

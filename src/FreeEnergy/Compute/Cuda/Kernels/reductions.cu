// Row and column reductions. Row kernels: one block per row (blockDim.x a power of two <= 1024),
// shared-memory tree reduction in double for accuracy. Column kernels: one thread per column.

#define FE_MAX_THREADS 1024
#define FE_NEG_INF __int_as_float(0xff800000)

__device__ double fe_block_sum(double value, double* shared)
{
    int t = threadIdx.x;
    shared[t] = value;
    __syncthreads();
    for (int s = blockDim.x >> 1; s > 0; s >>= 1)
    {
        if (t < s) shared[t] += shared[t + s];
        __syncthreads();
    }
    double result = shared[0];
    __syncthreads();
    return result;
}

__device__ float fe_block_max(float value, float* shared)
{
    int t = threadIdx.x;
    shared[t] = value;
    __syncthreads();
    for (int s = blockDim.x >> 1; s > 0; s >>= 1)
    {
        if (t < s) shared[t] = fmaxf(shared[t], shared[t + s]);
        __syncthreads();
    }
    float result = shared[0];
    __syncthreads();
    return result;
}

__device__ __forceinline__ double fe_softplus_double(double x)
{
    return fmax(x, 0.0) + log1p(exp(-fabs(x)));
}

// Bernoulli-RBM free energy per row: F(v) = -v.b - sum_j softplus(pre[r, j] + c[j]), where
// pre = v W (rows x hidden) comes from a GEMM, b is the visible bias [visible], c the hidden bias [hidden].
extern "C" __global__ void fe_rbm_free_energy_rows(const float* v, const float* visibleBias, const float* pre, const float* hiddenBias,
    float* result, int rows, int visible, int hidden)
{
    __shared__ double shared[FE_MAX_THREADS];
    int r = blockIdx.x;
    if (r >= rows) return;
    const float* vr = v + (long long)r * visible;
    const float* pr = pre + (long long)r * hidden;
    double sum = 0.0;
    for (int i = threadIdx.x; i < visible; i += blockDim.x) sum -= (double)vr[i] * visibleBias[i];
    for (int j = threadIdx.x; j < hidden; j += blockDim.x) sum -= fe_softplus_double((double)pr[j] + hiddenBias[j]);
    sum = fe_block_sum(sum, shared);
    if (threadIdx.x == 0) result[r] = (float)sum;
}

// result[c] = scale * sum_r matrix[r, c] (bias gradients: scale = 1 / batch).
extern "C" __global__ void fe_column_sums(const float* matrix, float* result, int rows, int columns, float scale)
{
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= columns) return;
    double sum = 0.0;
    for (int r = 0; r < rows; r++) sum += matrix[(long long)r * columns + c];
    result[c] = (float)(scale * sum);
}

// result[c] = (1 / negativeRows) sum_r negative[r, c] - (1 / positiveRows) sum_r positive[r, c]: the gradient, to
// minimise, of a contrastive bias statistic (e.g. the visible and hidden biases of an RBM). One thread per column.
extern "C" __global__ void fe_column_mean_difference(const float* positive, int positiveRows, const float* negative, int negativeRows,
    int columns, float* result)
{
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= columns) return;
    double p = 0.0, q = 0.0;
    for (int r = 0; r < positiveRows; r++) p += positive[(long long)r * columns + c];
    for (int r = 0; r < negativeRows; r++) q += negative[(long long)r * columns + c];
    result[c] = (float)(q / negativeRows - p / positiveRows);
}

// result[r] = sum_c (a[r, c] - b[r, c])^2 (reconstruction errors).
extern "C" __global__ void fe_squared_error_rows(const float* a, const float* b, float* result, int rows, int columns)
{
    __shared__ double shared[FE_MAX_THREADS];
    int r = blockIdx.x;
    if (r >= rows) return;
    const float* ar = a + (long long)r * columns;
    const float* br = b + (long long)r * columns;
    double sum = 0.0;
    for (int c = threadIdx.x; c < columns; c += blockDim.x)
    {
        double d = (double)ar[c] - (double)br[c];
        sum += d * d;
    }
    sum = fe_block_sum(sum, shared);
    if (threadIdx.x == 0) result[r] = (float)sum;
}

// result[0] = max_i |x[i]|, +infinity when any x[i] is NaN or infinite (divergence checks). One block.
extern "C" __global__ void fe_max_magnitude(const float* x, int n, float* result)
{
    __shared__ float shared[FE_MAX_THREADS];
    float m = 0.0f;
    for (int i = threadIdx.x; i < n; i += blockDim.x)
    {
        float a = fabsf(x[i]);
        m = a != a ? __int_as_float(0x7f800000) : fmaxf(m, a);
    }
    m = fe_block_max(m, shared);
    if (threadIdx.x == 0) result[0] = m;
}

// One AIS weight update per run (row) of a Bernoulli RBM on the path between a base model with visible biases b_A
// (and W = 0) and the model: logWeights[r] += (betaNow - betaPrevious) (b - b_A).v_r
//   + sum_j softplus(betaNow pre[r, j]) - softplus(betaPrevious pre[r, j]),  pre = v W + c,
// accumulated in double within the row and added with Kahan compensation (compensation[r]) so that thousands of
// temperature steps keep near-double accuracy in float storage.
extern "C" __global__ void fe_ais_log_weights(const float* pre, const float* v, const float* visibleDifference, float* logWeights, float* compensation,
    int rows, int visible, int hidden, double betaPrevious, double betaNow)
{
    __shared__ double shared[FE_MAX_THREADS];
    int r = blockIdx.x;
    if (r >= rows) return;
    const float* vr = v + (long long)r * visible;
    const float* pr = pre + (long long)r * hidden;
    double sum = 0.0, linear = 0.0;
    for (int i = threadIdx.x; i < visible; i += blockDim.x) linear += (double)visibleDifference[i] * vr[i];
    sum = (betaNow - betaPrevious) * linear;
    for (int j = threadIdx.x; j < hidden; j += blockDim.x) sum += fe_softplus_double(betaNow * pr[j]) - fe_softplus_double(betaPrevious * pr[j]);
    sum = fe_block_sum(sum, shared);
    if (threadIdx.x == 0)
    {
        float y = (float)sum - compensation[r];
        float t = logWeights[r] + y;
        compensation[r] = (t - logWeights[r]) - y;
        logWeights[r] = t;
    }
}

// Gaussian-RBM free energy per row: F(v) = sum_i (v_i - a_i)^2 / (2 sigma_i^2) - sum_j softplus(pre[r, j] + c[j]),
// pre = (v / sigma) W from a GEMM.
extern "C" __global__ void fe_gaussian_rbm_free_energy_rows(const float* v, const float* visibleBias, const float* sigma, const float* pre, const float* hiddenBias,
    float* result, int rows, int visible, int hidden)
{
    __shared__ double shared[FE_MAX_THREADS];
    int r = blockIdx.x;
    if (r >= rows) return;
    const float* vr = v + (long long)r * visible;
    const float* pr = pre + (long long)r * hidden;
    double sum = 0.0;
    for (int i = threadIdx.x; i < visible; i += blockDim.x)
    {
        double d = ((double)vr[i] - visibleBias[i]) / sigma[i];
        sum += 0.5 * d * d;
    }
    for (int j = threadIdx.x; j < hidden; j += blockDim.x) sum -= fe_softplus_double((double)pr[j] + hiddenBias[j]);
    sum = fe_block_sum(sum, shared);
    if (threadIdx.x == 0) result[r] = (float)sum;
}

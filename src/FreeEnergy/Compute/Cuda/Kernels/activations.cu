// Elementwise activations on row-major float matrices. One thread per element (grid-stride loops).
// Stable forms match FreeEnergy.Compute.Cpu.Activations.

__device__ __forceinline__ float fe_sigmoid_value(float x)
{
    if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}

// matrix[r, c] += bias[c] for a rows x columns matrix.
extern "C" __global__ void fe_add_row_bias(float* matrix, const float* bias, int rows, int columns)
{
    int n = rows * columns;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        matrix[i] += bias[i % columns];
}

// y[r, c] = sigmoid(x[r, c] + bias[c]) (x and y may alias): hidden/visible means of an RBM in one pass.
extern "C" __global__ void fe_bias_sigmoid(const float* x, const float* bias, float* y, int rows, int columns)
{
    int n = rows * columns;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        y[i] = fe_sigmoid_value(x[i] + bias[i % columns]);
}

// x[i] *= alpha.
extern "C" __global__ void fe_scale(float* x, float alpha, int n)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        x[i] *= alpha;
}

// y[r, c] = sigmoid(beta * x[r, c] + baseBias[c] + beta * difference[c]) (x and y may alias): conditional means on a
// tempered (AIS) path whose input is beta (x + b) + (1 - beta) b_A, with difference = b - b_A.
extern "C" __global__ void fe_tempered_sigmoid(const float* x, float beta, const float* baseBias, const float* difference, float* y, int rows, int columns)
{
    int n = rows * columns;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        int c = i % columns;
        y[i] = fe_sigmoid_value(beta * x[i] + baseBias[c] + beta * difference[c]);
    }
}

// x[r, c] /= divisor[c] (Gaussian-RBM visible scaling v / sigma).
extern "C" __global__ void fe_divide_columns(float* x, const float* divisor, int rows, int columns)
{
    int n = rows * columns;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        x[i] /= divisor[i % columns];
}

// y[r, c] = x[r, c] sigma[c] + bias[c] (Gaussian-RBM visible means from h W^T; x and y may alias).
extern "C" __global__ void fe_scale_shift_columns(const float* x, const float* sigma, const float* bias, float* y, int rows, int columns)
{
    int n = rows * columns;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        int c = i % columns;
        y[i] = fmaf(x[i], sigma[c], bias[c]);
    }
}

// TAP (EMF) training, DESIGN.md section 3. Powers of the weights: square = w^2 and, when cube is non-null (third
// order), cube = w^2 w.
extern "C" __global__ void fe_tap_powers(const float* w, float* square, float* cube, int n)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        float s = w[i] * w[i];
        square[i] = s;
        if (cube) cube[i] = s * w[i];
    }
}

// TAP moments of magnetisations m: variance c = m - m^2 and, when skewness is non-null, q = c (1/2 - m).
extern "C" __global__ void fe_tap_moments(const float* m, float* variance, float* skewness, int n)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        float x = m[i];
        float c = x - x * x;
        variance[i] = c;
        if (skewness) skewness[i] = c * (0.5f - x);
    }
}

// One damped TAP fixed-point update of the target magnetisations m (rows x columns), given the products of the other
// layer: field = m_src W (or W^T), second = c(m_src) W^2, third = q(m_src) W^3 (null at second order):
//   f = field + (bias + (1/2 - m) second) [+ (1/3 - 2 c(m)) third];  m <- clamp(damping m + (1 - damping) sigm(f)).
extern "C" __global__ void fe_tap_update(const float* field, const float* second, const float* third, const float* bias, float* magnetization,
    int rows, int columns, float damping, float epsilon)
{
    int n = rows * columns;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        float m = magnetization[i];
        float f = field[i] + (bias[i % columns] + (0.5f - m) * second[i]);
        if (third) f += (1.0f / 3.0f - 2.0f * (m - m * m)) * third[i];
        float updated = damping * m + (1.0f - damping) * fe_sigmoid_value(f);
        magnetization[i] = fminf(fmaxf(updated, epsilon), 1.0f - epsilon);
    }
}

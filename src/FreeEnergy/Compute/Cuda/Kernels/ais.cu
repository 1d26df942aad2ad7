// Pieces of annealed importance sampling (AIS) and Gibbs chains that are not GEMMs or samplers.

// logWeights[i] += (betaNext - betaPrevious) * negativeEnergy[i]: the AIS log-weight increment for a
// geometric path between the base and the model when negativeEnergy[i] = -(F_model(v_i) - F_base(v_i)),
// or any per-chain term scaled by the temperature step.
extern "C" __global__ void fe_ais_accumulate(float* logWeights, const float* negativeEnergy, int n, float betaStep)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        logWeights[i] += betaStep * negativeEnergy[i];
}

// logWeights[i] += next[i] - previous[i]: the general increment log p*_k(v_i) - log p*_{k-1}(v_i).
extern "C" __global__ void fe_log_weight_difference(float* logWeights, const float* next, const float* previous, int n)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        logWeights[i] += next[i] - previous[i];
}

// y[r, c] = beta * x[r, c] + (1 - beta) * baseBias[c] (x and y may alias): tempered pre-activations on an
// AIS path whose base distribution has biases baseBias.
extern "C" __global__ void fe_temper_rows(const float* x, const float* baseBias, float* y, int rows, int columns, float beta)
{
    int n = rows * columns;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        y[i] = beta * x[i] + (1.0f - beta) * baseBias[i % columns];
}

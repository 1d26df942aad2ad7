// Parameter updates, one thread per parameter. `gradient` is the gradient of the loss to MINIMIZE
// (a trainer doing likelihood ascent, e.g. contrastive divergence, passes the negated statistic).

// Adam (Kingma & Ba) with decoupled-free L2 weight decay folded into the gradient:
//   g = gradient + weightDecay * p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= learningRate * (m / correction1) / (sqrt(v / correction2) + epsilon)
// with correction1 = 1 - b1^t and correction2 = 1 - b2^t computed by the caller for step t >= 1.
extern "C" __global__ void fe_adam(float* parameter, const float* gradient, float* firstMoment, float* secondMoment, int n,
    float learningRate, float beta1, float beta2, float epsilon, float correction1, float correction2, float weightDecay)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        float g = gradient[i] + weightDecay * parameter[i];
        float m = beta1 * firstMoment[i] + (1.0f - beta1) * g;
        float v = beta2 * secondMoment[i] + (1.0f - beta2) * g * g;
        firstMoment[i] = m;
        secondMoment[i] = v;
        parameter[i] -= learningRate * (m / correction1) / (sqrtf(v / correction2) + epsilon);
    }
}

// Momentum SGD: velocity = momentum * velocity - learningRate * (gradient + weightDecay * p); p += velocity.
extern "C" __global__ void fe_momentum(float* parameter, const float* gradient, float* velocity, int n,
    float learningRate, float momentum, float weightDecay)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        float u = momentum * velocity[i] - learningRate * (gradient[i] + weightDecay * parameter[i]);
        velocity[i] = u;
        parameter[i] += u;
    }
}

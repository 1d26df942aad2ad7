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

// The RBM weight step after a GEMM has put momentum * velocity + lr * gradient into velocity:
// velocity -= l2 * w + l1 * sign(w); w += velocity (l2 and l1 already scaled by the learning rate).
extern "C" __global__ void fe_weight_step(float* weights, float* velocity, int n, float l2, float l1)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        float w = weights[i];
        float u = velocity[i] - l2 * w;
        if (l1 != 0.0f) u -= l1 * (w > 0.0f ? 1.0f : w < 0.0f ? -1.0f : 0.0f);
        velocity[i] = u;
        weights[i] = w + u;
    }
}

// The TAP (EMF) negative phase into the RBM weight velocity: velocity += scale (first + second w [+ w^2 third]), with
// first = mean m^v m^h^T, second = mean c(m^v) c(m^h)^T and third = 2 mean q(m^v) q(m^h)^T (null at second order).
extern "C" __global__ void fe_tap_weight_velocity(const float* weights, const float* first, const float* second, const float* third,
    float* velocity, int n, float scale)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    {
        float w = weights[i];
        float g = second[i] * w + first[i];
        if (third) g += w * w * third[i];
        velocity[i] += scale * g;
    }
}

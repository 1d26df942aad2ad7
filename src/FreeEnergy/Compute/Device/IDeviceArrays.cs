namespace FreeEnergy.Compute.Device;

/// <summary>
/// The device seam of the device-resident trainers: arrays that live where the arithmetic runs (GPU memory for
/// <see cref="Cuda.CudaDeviceArrays"/>, managed arrays for <see cref="HostDeviceArrays"/>) and the few operations a
/// training epoch needs on them. A training loop written once against this interface runs on the GPU with its data
/// and parameters resident, and on the host for tests (the host implementation uses the CPU engine's own kernels,
/// so it reproduces the CPU trainers). Matrices are row-major; leading dimensions are row strides. Operations are
/// queued in call order; <see cref="Download"/> waits for everything queued before it. Not thread-safe.
/// </summary>
internal interface IDeviceArrays : IDisposable
{
    /// <summary>A short name for reports.</summary>
    string Name { get; }

    /// <summary>Serialises whole computations that share the device (one scoring call at a time).</summary>
    object Gate { get; }

    /// <summary>A new array of <paramref name="length"/> floats, all zero.</summary>
    DeviceArray Allocate(int length);

    /// <summary>Copies host floats into <paramref name="destination"/> (which must be at least as long).</summary>
    void Upload(ReadOnlySpan<float> source, DeviceSlice destination);

    /// <summary>Copies <paramref name="source"/> to host memory, after all queued work.</summary>
    void Download(DeviceSlice source, Span<float> destination);

    /// <summary>Copies <paramref name="source"/> into the start of <paramref name="destination"/> (device to device).</summary>
    void Copy(DeviceSlice source, DeviceSlice destination);

    /// <summary>Sets every float of <paramref name="destination"/> to <paramref name="value"/>.</summary>
    void Fill(DeviceSlice destination, float value);

    /// <summary>C = alpha op(A) op(B) + beta C (beta = 0 overwrites C, NaN included), as <see cref="IComputeBackend.Gemm"/>.</summary>
    void Gemm(Transpose transposeA, Transpose transposeB, int m, int n, int k, float alpha, DeviceSlice a, int lda, DeviceSlice b, int ldb, float beta, DeviceSlice c, int ldc);

    /// <summary>
    /// destination row r = source row rowIndexes[r] for r &lt; <paramref name="rows"/>, where <paramref name="rowIndexes"/>
    /// holds int32 row numbers stored bit for bit in the float slots (see <see cref="DeviceArraysExtensions.UploadIndexes"/>).
    /// </summary>
    void GatherRows(DeviceSlice source, int columns, DeviceSlice rowIndexes, int rows, DeviceSlice destination);

    /// <summary>y[r, c] = sigmoid(x[r, c] + bias[c]) (x and y may be the same slice).</summary>
    void BiasSigmoid(DeviceSlice x, DeviceSlice bias, DeviceSlice y, int rows, int columns);

    /// <summary>output[i] = 1 if u_i &lt; probabilities[i] else 0 with u_i the Philox uniform at (seed, stream, startIndex + i), for every i of <paramref name="probabilities"/>.</summary>
    void Bernoulli(DeviceSlice probabilities, DeviceSlice output, ulong seed, ulong stream, ulong startIndex);

    /// <summary>x[r, c] += bias[c].</summary>
    void AddRowBias(DeviceSlice x, DeviceSlice bias, int rows, int columns);

    /// <summary>y[r, c] = sigmoid(beta x[r, c] + baseBias[c] + beta difference[c]) (x and y may be the same slice): tempered conditional means.</summary>
    void TemperedSigmoid(DeviceSlice x, float beta, DeviceSlice baseBias, DeviceSlice difference, DeviceSlice y, int rows, int columns);

    /// <summary>
    /// One AIS temperature step of a Bernoulli RBM: logWeights[r] += (betaNow - betaPrevious) difference.v_r +
    /// sum_j softplus(betaNow pre[r, j]) - softplus(betaPrevious pre[r, j]), with Kahan compensation in <paramref name="compensation"/>.
    /// </summary>
    void AisLogWeights(DeviceSlice preActivations, DeviceSlice visible, DeviceSlice difference, DeviceSlice logWeights, DeviceSlice compensation,
        int rows, int visibleCount, int hiddenCount, double betaPrevious, double betaNow);

    /// <summary>result[c] = sum_r matrix[r, c] (bias gradients).</summary>
    void ColumnSums(DeviceSlice matrix, int rows, int columns, DeviceSlice result);

    /// <summary>output[i] = the standard normal at Philox (seed, stream, startIndex + i), as <see cref="Random.Philox.FillGaussian"/>.</summary>
    void Gaussian(DeviceSlice output, ulong seed, ulong stream, ulong startIndex);

    /// <summary>One Adam step (step &gt;= 1) minimising: g = gradient + weightDecay p; bias-corrected moments; p -= lr m^ / (sqrt(v^) + eps).</summary>
    void Adam(DeviceSlice parameters, DeviceSlice gradient, DeviceSlice firstMoment, DeviceSlice secondMoment, float learningRate, float beta1, float beta2, float epsilon, long step, float weightDecay);

    /// <summary>x[r, c] /= divisor[c].</summary>
    void DivideColumns(DeviceSlice x, DeviceSlice divisor, int rows, int columns);

    /// <summary>y[r, c] = x[r, c] sigma[c] + bias[c] (fused multiply-add; x and y may be the same slice).</summary>
    void ScaleShiftColumns(DeviceSlice x, DeviceSlice sigma, DeviceSlice bias, DeviceSlice y, int rows, int columns);

    /// <summary>
    /// Gaussian-RBM visible sampling: v = (wh sigma + a) + sigma z with z the standard normal at Philox (seed, stream,
    /// startIndex + i); output = v / sigma (as <see cref="Models.GaussianRbm"/>'s VisibleMean, SampleVisible and ScaleVisible).
    /// </summary>
    void GaussianVisible(DeviceSlice wh, DeviceSlice visibleBias, DeviceSlice sigma, DeviceSlice output, int rows, int columns, ulong seed, ulong stream, ulong startIndex);

    /// <summary>Gaussian-RBM free energy per row: sum (v - a)^2 / (2 sigma^2) - sum_j softplus(pre[r, j] + c[j]), pre = (v / sigma) W.</summary>
    void GaussianRbmFreeEnergyRows(DeviceSlice visible, DeviceSlice visibleBias, DeviceSlice sigma, DeviceSlice preActivations, DeviceSlice hiddenBias, DeviceSlice result, int rows, int visibleCount, int hiddenCount);

    /// <summary>x[i] *= alpha.</summary>
    void Scale(DeviceSlice x, float alpha);

    /// <summary>
    /// result[c] = mean over the <paramref name="negativeRows"/> rows of <paramref name="negative"/> minus mean over the
    /// <paramref name="positiveRows"/> rows of <paramref name="positive"/>, column c: the gradient, to minimise, of a
    /// contrastive bias statistic.
    /// </summary>
    void ColumnMeanDifference(DeviceSlice positive, int positiveRows, DeviceSlice negative, int negativeRows, int columns, DeviceSlice result);

    /// <summary>Momentum SGD minimising: velocity = momentum velocity - lr (gradient + weightDecay p); p += velocity.</summary>
    void Momentum(DeviceSlice parameters, DeviceSlice gradient, DeviceSlice velocity, float learningRate, float momentum, float weightDecay);

    /// <summary>The weight step after a GEMM has put momentum velocity + lr gradient into velocity: velocity -= l2 w + l1 sign(w); w += velocity.</summary>
    void WeightStep(DeviceSlice weights, DeviceSlice velocity, float l2, float l1);

    /// <summary>
    /// Bernoulli-RBM free energy per row: result[r] = -v_r.b - sum_j softplus(pre[r, j] + c[j]), with pre = v W from
    /// <see cref="Gemm"/>.
    /// </summary>
    void RbmFreeEnergyRows(DeviceSlice visible, DeviceSlice visibleBias, DeviceSlice preActivations, DeviceSlice hiddenBias, DeviceSlice result, int rows, int visibleCount, int hiddenCount);

    /// <summary>result[r] = sum_c (a[r, c] - b[r, c])^2 (accumulated in double).</summary>
    void SquaredErrorRows(DeviceSlice a, DeviceSlice b, DeviceSlice result, int rows, int columns);

    /// <summary>TAP training: square = w^2 and, when <paramref name="cube"/> is given (third order), cube = w^2 w, over all of <paramref name="weights"/>.</summary>
    void TapPowers(DeviceSlice weights, DeviceSlice square, DeviceSlice? cube);

    /// <summary>TAP training: variance = m - m^2 and, when <paramref name="skewness"/> is given, skewness = variance (1/2 - m), over all of <paramref name="magnetization"/>.</summary>
    void TapMoments(DeviceSlice magnetization, DeviceSlice variance, DeviceSlice? skewness);

    /// <summary>
    /// One damped TAP fixed-point update (as <see cref="Estimation.TapExpansion.Iterate"/>) of the rows x columns
    /// <paramref name="magnetization"/> from the other layer's products field = m W, second = c(m) W^2 and third =
    /// q(m) W^3 (absent at second order): f = field + (bias + (1/2 - m) second) [+ (1/3 - 2 c(m)) third];
    /// m = clamp(damping m + (1 - damping) sigm(f), eps, 1 - eps) with eps = <see cref="Estimation.TapExpansion.Epsilon"/>.
    /// </summary>
    void TapUpdate(DeviceSlice field, DeviceSlice second, DeviceSlice? third, DeviceSlice bias, DeviceSlice magnetization, int rows, int columns, float damping);

    /// <summary>
    /// The TAP negative phase into the weight velocity: velocity += scale (first + second w [+ w^2 third]) over all of
    /// <paramref name="weights"/>, where first, second and third are the moment products of <see cref="Estimation.TapExpansion.Gradient"/>.
    /// </summary>
    void TapWeightVelocity(DeviceSlice weights, DeviceSlice first, DeviceSlice second, DeviceSlice? third, DeviceSlice velocity, float scale);

    /// <summary>The largest magnitude in <paramref name="x"/> (infinity when any value is NaN or infinite; 0 when empty), after all queued work.</summary>
    float MaxMagnitude(DeviceSlice x);
}

/// <summary>Conveniences on <see cref="IDeviceArrays"/>.</summary>
internal static class DeviceArraysExtensions
{
    /// <summary>A new array holding a copy of <paramref name="values"/>.</summary>
    public static DeviceArray Upload(this IDeviceArrays device, ReadOnlySpan<float> values)
    {
        var array = device.Allocate(values.Length);
        device.Upload(values, array);
        return array;
    }

    /// <summary>Uploads int32 row numbers bit for bit into float slots (for <see cref="IDeviceArrays.GatherRows"/>).</summary>
    public static void UploadIndexes(this IDeviceArrays device, ReadOnlySpan<int> indexes, DeviceSlice destination)
        => device.Upload(System.Runtime.InteropServices.MemoryMarshal.Cast<int, float>(indexes), destination);

    /// <summary>The slice as a new host array (after all queued work).</summary>
    public static float[] ToArray(this IDeviceArrays device, DeviceSlice source)
    {
        var result = new float[source.Length];
        device.Download(source, result);
        return result;
    }
}

namespace FreeEnergy.Compute.Device;

/// <summary>
/// The core of the device seam: arrays that live where the arithmetic runs (GPU memory for
/// <see cref="Cuda.CudaDeviceArrays"/>, managed arrays for <see cref="HostDeviceArrays"/>), products, and the generic
/// elementwise operations, draws, reductions and optimizer steps. Each model family's own operations extend it beside
/// the code that uses them (Models.IVaeDeviceOps, Models.IRbmDeviceOps, Estimation.ITapDeviceOps,
/// Estimation.IAisDeviceOps; ask with <see cref="DeviceArraysExtensions.Ops{T}"/>). A loop written once against these
/// runs on the GPU with its data and parameters resident, and on the host for tests (the host implementation uses the
/// CPU engine's own kernels, so it reproduces the CPU trainers). Matrices are row-major; leading dimensions are row strides. Operations are
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

    /// <summary>result[r] = sum_c (a[r, c] - b[r, c])^2 (accumulated in double).</summary>
    void SquaredErrorRows(DeviceSlice a, DeviceSlice b, DeviceSlice result, int rows, int columns);

    /// <summary>The largest magnitude in <paramref name="x"/> (infinity when any value is NaN or infinite; 0 when empty), after all queued work.</summary>
    float MaxMagnitude(DeviceSlice x);
}

/// <summary>Conveniences on <see cref="IDeviceArrays"/>.</summary>
internal static class DeviceArraysExtensions
{
    /// <summary>The seam's operations of one concern (such as the VAE's, beside the code that uses them); a seam without them cannot run that code.</summary>
    public static T Ops<T>(this IDeviceArrays device) where T : class, IDeviceArrays
        => device as T ?? throw new NotSupportedException($"The device '{device.Name}' has no {typeof(T).Name}.");

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

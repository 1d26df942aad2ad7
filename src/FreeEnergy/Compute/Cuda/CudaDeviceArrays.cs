using FreeEnergy.Compute.Device;

namespace FreeEnergy.Compute.Cuda;

/// <summary>
/// <see cref="IDeviceArrays"/> on a <see cref="CudaBackend"/>: arrays are <see cref="CudaBuffer"/>s, products are cuBLAS
/// SGEMM (row-major through <see cref="Cublas.SgemmRowMajor"/>), everything else is a <see cref="CudaKernels"/> kernel;
/// all of it is queued on the backend's one stream in call order, and only <see cref="Download"/> and
/// <see cref="MaxMagnitude"/> wait. Sampling draws the same Philox numbers as the CPU engine.
/// </summary>
internal sealed unsafe partial class CudaDeviceArrays : IDeviceArrays
{
    private sealed class CudaArray(CudaBuffer buffer) : DeviceArray(buffer.Length)
    {
        public CudaBuffer Buffer { get; } = buffer;

        public override void Dispose() => Buffer.Dispose();
    }

    private readonly CudaBackend gpu;
    private CudaBuffer? scalar;

    public CudaDeviceArrays(CudaBackend backend)
    {
        gpu = backend ?? throw new ArgumentNullException(nameof(backend));
    }

    /// <summary>The backend whose stream, cuBLAS handle and kernels run the operations.</summary>
    public CudaBackend Backend => gpu;

    /// <inheritdoc />
    public string Name => gpu.Name;

    /// <inheritdoc />
    public object Gate => gpu.Gate;

    private static CudaBuffer B(DeviceSlice s) => s.Array is CudaArray c ? c.Buffer
        : throw new ArgumentException("The device array belongs to another implementation.", nameof(s));

    /// <summary>The device address of the slice's first float.</summary>
    private static ulong P(DeviceSlice s) => B(s).At(s.Offset);

    private CudaKernels K => gpu.Kernels;

    /// <inheritdoc />
    public DeviceArray Allocate(int length)
    {
        var buffer = gpu.Allocate(length);
        buffer.Fill(0f);
        return new CudaArray(buffer);
    }

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<float> source, DeviceSlice destination)
    {
        destination.Need(source.Length, nameof(destination));
        B(destination).Upload(source, destination.Offset);
    }

    /// <inheritdoc />
    public void Download(DeviceSlice source, Span<float> destination) => B(source).Download(destination[..source.Length], source.Offset);

    /// <inheritdoc />
    public void Copy(DeviceSlice source, DeviceSlice destination)
    {
        destination.Need(source.Length, nameof(destination));
        B(destination).CopyFrom(B(source), source.Offset, destination.Offset, source.Length);
    }

    /// <inheritdoc />
    public void Fill(DeviceSlice destination, float value)
    {
        if (destination.Length == 0) return;
        gpu.MakeCurrent();
        gpu.Driver.Fill32(P(destination), BitConverter.SingleToUInt32Bits(value), destination.Length, gpu.Stream);
    }

    /// <inheritdoc />
    public void Gemm(Transpose transposeA, Transpose transposeB, int m, int n, int k, float alpha, DeviceSlice a, int lda, DeviceSlice b, int ldb, float beta, DeviceSlice c, int ldc)
    {
        var (ea, eb, ec) = GemmShape.Extents(transposeA, transposeB, m, n, k, lda, ldb, ldc);
        a.Need(ea, nameof(a)); b.Need(eb, nameof(b)); c.Need(ec, nameof(c));
        gpu.GemmAt(transposeA, transposeB, m, n, k, alpha, P(a), lda, P(b), ldb, beta, P(c), ldc);
    }

    /// <inheritdoc />
    public void GatherRows(DeviceSlice source, int columns, DeviceSlice rowIndexes, int rows, DeviceSlice destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        rowIndexes.Need(rows, nameof(rowIndexes));
        destination.Need((long)rows * columns, nameof(destination));
        ulong ps = P(source), pi = P(rowIndexes), pd = P(destination);
        int r = rows, c = columns;
        void** args = stackalloc void*[] { &ps, &pi, &pd, &r, &c };
        K.LaunchElementwise("fe_gather_rows", (long)rows * columns, args);
    }

    /// <inheritdoc />
    public void BiasSigmoid(DeviceSlice x, DeviceSlice bias, DeviceSlice y, int rows, int columns)
    {
        long n = (long)rows * columns;
        x.Need(n, nameof(x)); y.Need(n, nameof(y)); bias.Need(columns, nameof(bias));
        ulong px = P(x), pb = P(bias), py = P(y);
        int r = rows, c = columns;
        void** args = stackalloc void*[] { &px, &pb, &py, &r, &c };
        K.LaunchElementwise("fe_bias_sigmoid", n, args);
    }

    /// <inheritdoc />
    public void Bernoulli(DeviceSlice probabilities, DeviceSlice output, ulong seed, ulong stream, ulong startIndex)
    {
        output.Need(probabilities.Length, nameof(output));
        ulong pp = P(probabilities), po = P(output), s = seed, st = stream, i0 = startIndex;
        int n = probabilities.Length;
        void** args = stackalloc void*[] { &pp, &po, &n, &s, &st, &i0 };
        K.LaunchElementwise("fe_bernoulli", n, args);
    }

    /// <inheritdoc />
    public void AddRowBias(DeviceSlice x, DeviceSlice bias, int rows, int columns)
    {
        long n = (long)rows * columns;
        x.Need(n, nameof(x)); bias.Need(columns, nameof(bias));
        ulong px = P(x), pb = P(bias);
        int r = rows, c = columns;
        void** args = stackalloc void*[] { &px, &pb, &r, &c };
        K.LaunchElementwise("fe_add_row_bias", n, args);
    }

    /// <inheritdoc />
    public void ColumnSums(DeviceSlice matrix, int rows, int columns, DeviceSlice result)
    {
        matrix.Need((long)rows * columns, nameof(matrix)); result.Need(columns, nameof(result));
        ulong pm = P(matrix), pr = P(result);
        int r = rows, c = columns;
        float s = 1f;
        void** args = stackalloc void*[] { &pm, &pr, &r, &c, &s };
        K.LaunchPerColumn("fe_column_sums", columns, args);
    }

    /// <inheritdoc />
    public void Gaussian(DeviceSlice output, ulong seed, ulong stream, ulong startIndex)
    {
        // fe_gaussian computes mean + sd z; with the output as a zeroed mean it writes z itself.
        Fill(output, 0f);
        ulong pm = P(output), po = P(output), s = seed, st = stream, i0 = startIndex;
        float sd = 1f;
        int n = output.Length;
        void** args = stackalloc void*[] { &pm, &sd, &po, &n, &s, &st, &i0 };
        K.LaunchElementwise("fe_gaussian", n, args);
    }

    /// <inheritdoc />
    public void Adam(DeviceSlice parameters, DeviceSlice gradient, DeviceSlice firstMoment, DeviceSlice secondMoment, float learningRate, float beta1, float beta2, float epsilon, long step, float weightDecay)
    {
        int n = parameters.Length;
        gradient.Need(n, nameof(gradient)); firstMoment.Need(n, nameof(firstMoment)); secondMoment.Need(n, nameof(secondMoment));
        ulong pp = P(parameters), pg = P(gradient), pm = P(firstMoment), pv = P(secondMoment);
        float lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay;
        float c1 = (float)(1.0 - Math.Pow(beta1, step)), c2 = (float)(1.0 - Math.Pow(beta2, step));
        void** args = stackalloc void*[] { &pp, &pg, &pm, &pv, &n, &lr, &b1, &b2, &eps, &c1, &c2, &wd };
        K.LaunchElementwise("fe_adam", n, args);
    }

    /// <inheritdoc />
    public void DivideColumns(DeviceSlice x, DeviceSlice divisor, int rows, int columns)
    {
        long n = (long)rows * columns;
        x.Need(n, nameof(x)); divisor.Need(columns, nameof(divisor));
        ulong px = P(x), pd = P(divisor);
        int r = rows, c = columns;
        void** args = stackalloc void*[] { &px, &pd, &r, &c };
        K.LaunchElementwise("fe_divide_columns", n, args);
    }

    /// <inheritdoc />
    public void ScaleShiftColumns(DeviceSlice x, DeviceSlice sigma, DeviceSlice bias, DeviceSlice y, int rows, int columns)
    {
        long n = (long)rows * columns;
        x.Need(n, nameof(x)); y.Need(n, nameof(y)); sigma.Need(columns, nameof(sigma)); bias.Need(columns, nameof(bias));
        ulong px = P(x), ps = P(sigma), pb = P(bias), py = P(y);
        int r = rows, c = columns;
        void** args = stackalloc void*[] { &px, &ps, &pb, &py, &r, &c };
        K.LaunchElementwise("fe_scale_shift_columns", n, args);
    }

    /// <inheritdoc />
    public void Scale(DeviceSlice x, float alpha)
    {
        ulong px = P(x);
        float a = alpha;
        int n = x.Length;
        void** args = stackalloc void*[] { &px, &a, &n };
        K.LaunchElementwise("fe_scale", n, args);
    }

    /// <inheritdoc />
    public void ColumnMeanDifference(DeviceSlice positive, int positiveRows, DeviceSlice negative, int negativeRows, int columns, DeviceSlice result)
    {
        positive.Need((long)positiveRows * columns, nameof(positive)); negative.Need((long)negativeRows * columns, nameof(negative));
        result.Need(columns, nameof(result));
        ulong pp = P(positive), pn = P(negative), pr = P(result);
        int np = positiveRows, nn = negativeRows, c = columns;
        void** args = stackalloc void*[] { &pp, &np, &pn, &nn, &c, &pr };
        K.LaunchPerColumn("fe_column_mean_difference", columns, args);
    }

    /// <inheritdoc />
    public void Momentum(DeviceSlice parameters, DeviceSlice gradient, DeviceSlice velocity, float learningRate, float momentum, float weightDecay)
    {
        int n = parameters.Length;
        gradient.Need(n, nameof(gradient)); velocity.Need(n, nameof(velocity));
        ulong pp = P(parameters), pg = P(gradient), pv = P(velocity);
        float lr = learningRate, mu = momentum, wd = weightDecay;
        void** args = stackalloc void*[] { &pp, &pg, &pv, &n, &lr, &mu, &wd };
        K.LaunchElementwise("fe_momentum", n, args);
    }

    /// <inheritdoc />
    public void SquaredErrorRows(DeviceSlice a, DeviceSlice b, DeviceSlice result, int rows, int columns)
    {
        a.Need((long)rows * columns, nameof(a)); b.Need((long)rows * columns, nameof(b)); result.Need(rows, nameof(result));
        ulong pa = P(a), pb = P(b), pr = P(result);
        int r = rows, c = columns;
        void** args = stackalloc void*[] { &pa, &pb, &pr, &r, &c };
        K.LaunchPerRow("fe_squared_error_rows", rows, columns, args);
    }

    /// <inheritdoc />
    public float MaxMagnitude(DeviceSlice x)
    {
        if (x.Length == 0) return 0f;
        scalar ??= gpu.Allocate(1);
        ulong px = P(x), pr = scalar.Pointer;
        int n = x.Length;
        void** args = stackalloc void*[] { &px, &n, &pr };
        K.LaunchPerRow("fe_max_magnitude", 1, n, args);
        Span<float> m = stackalloc float[1];
        scalar.Download(m);
        return m[0];
    }

    /// <summary>Frees the scratch scalar (the arrays are disposed by their users).</summary>
    public void Dispose()
    {
        scalar?.Dispose();
        scalar = null;
    }

}

using FreeEnergy.Compute.Cpu;

namespace FreeEnergy.Compute.Cuda;

/// <summary>
/// The CUDA backend: SGEMM through cuBLAS, kernels compiled by NVRTC from the sources embedded in the
/// assembly, and <see cref="CudaBuffer"/> device arrays so that a trainer keeps its batches and parameters
/// on the GPU. The span-based <see cref="Gemm(Transpose, Transpose, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
/// of <see cref="IComputeBackend"/> copies its operands to the device and back (correct, but only worth it for
/// large products); <see cref="For"/> runs on the CPU. All work is queued on one stream in call order.
/// Not thread-safe beyond the span GEMM (which takes a lock): use one backend per training loop.
/// </summary>
public sealed class CudaBackend : IComputeBackend, IDisposable
{
    private readonly object gate = new();

    /// <summary>Held by work that queues several calls on the stream (span GEMM, device-resident scoring) so concurrent callers do not interleave.</summary>
    internal object Gate => gate;
    private readonly CpuBackend cpu;
    private readonly int device;
    private readonly IntPtr context;
    private readonly IntPtr blasHandle;
    private CudaBuffer? scratchA, scratchB, scratchC;
    private bool disposed;

    private CudaBackend(CudaOptions options, CudaDriver driver, Nvrtc nvrtc, Cublas cublas)
    {
        Options = options;
        Driver = driver;
        Compiler = nvrtc;
        Blas = cublas;
        cpu = new CpuBackend(options.CpuThreads);
        int count = driver.DeviceCount();
        if (count == 0) throw new CudaException("CUDA is unavailable: the NVIDIA driver reports no CUDA device. Use --device cpu.");
        if (options.DeviceOrdinal < 0 || options.DeviceOrdinal >= count)
            throw new CudaException($"CUDA device {options.DeviceOrdinal} does not exist ({count} device{(count == 1 ? "" : "s")}).");
        device = driver.Device(options.DeviceOrdinal);
        DeviceName = driver.DeviceName(device);
        ComputeCapability = driver.Attribute(device, CudaDriver.AttributeComputeCapabilityMajor) * 10 + driver.Attribute(device, CudaDriver.AttributeComputeCapabilityMinor);
        MultiprocessorCount = driver.Attribute(device, CudaDriver.AttributeMultiprocessorCount);
        ClockRateKilohertz = driver.Attribute(device, CudaDriver.AttributeClockRate);
        context = driver.RetainPrimaryContext(device);
        try
        {
            driver.SetCurrent(context);
            Stream = driver.CreateStream();
            blasHandle = cublas.CreateHandle(Stream, options.AllowTf32);
            CublasVersion = cublas.Version(blasHandle);
        }
        catch
        {
            if (Stream != IntPtr.Zero) driver.DestroyStream(Stream);
            driver.ReleasePrimaryContext(device);
            throw;
        }
        Kernels = new CudaKernels(this);
    }

    /// <summary>
    /// Creates the backend on <see cref="CudaOptions.DeviceOrdinal"/>. Throws <see cref="CudaException"/>
    /// with the reason (no driver, no device, NVRTC or cuBLAS missing) when CUDA cannot be used.
    /// </summary>
    public static CudaBackend Create(CudaOptions? options = null)
    {
        options ??= new CudaOptions();
        var driver = CudaDriver.TryGet(out var driverReason) ?? throw new CudaException($"CUDA is unavailable: {driverReason}.");
        var nvrtc = Nvrtc.TryGet(out var nvrtcReason) ?? throw new CudaException($"CUDA is unavailable: {nvrtcReason}.");
        var cublas = Cublas.TryGet(out var cublasReason) ?? throw new CudaException($"CUDA is unavailable: {cublasReason}.");
        return new CudaBackend(options, driver, nvrtc, cublas);
    }

    /// <inheritdoc />
    public string Name => $"cuda ({DeviceName}, sm_{ComputeCapability})";

    /// <summary>Threads of the CPU loop behind <see cref="For"/>.</summary>
    public int Threads => cpu.Threads;

    /// <summary>The options this backend was created with.</summary>
    public CudaOptions Options { get; }

    /// <summary>The device name reported by the driver.</summary>
    public string DeviceName { get; }

    /// <summary>Compute capability as major*10+minor (e.g. 80 for A100, 90 for H100).</summary>
    public int ComputeCapability { get; }

    /// <summary>Number of streaming multiprocessors.</summary>
    public int MultiprocessorCount { get; }

    /// <summary>The peak SM clock reported by the driver, in kHz (for peak-throughput estimates).</summary>
    public int ClockRateKilohertz { get; }

    /// <summary>
    /// Peak FP32 throughput in GFLOP/s (FMA = 2 flops) estimated from the SM count, the FP32 lanes per SM of the
    /// architecture (64 on sm_60/70/75/80, 128 on sm_61 and sm_86 and newer) and the peak clock.
    /// </summary>
    public double PeakFp32Gflops => 2.0 * MultiprocessorCount * Fp32LanesPerMultiprocessor(ComputeCapability) * ClockRateKilohertz / 1e6;

    internal static int Fp32LanesPerMultiprocessor(int capability) => capability switch
    {
        60 or 70 or 72 or 75 or 80 => 64,
        _ => 128,
    };

    /// <summary>The cuBLAS version number (e.g. 120402).</summary>
    public int CublasVersion { get; }

    /// <summary>The NVRTC version used to compile the kernels.</summary>
    public Version NvrtcVersion => Compiler.Version;

    /// <summary>The device kernels (activations, sampling, reductions, optimizers, AIS pieces) on <see cref="CudaBuffer"/>s.</summary>
    public CudaKernels Kernels { get; }

    internal CudaDriver Driver { get; }
    internal Nvrtc Compiler { get; }
    internal Cublas Blas { get; }
    internal IntPtr Stream { get; }
    internal bool IsDisposed => disposed;

    internal void MakeCurrent()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Driver.SetCurrent(context);
    }

    /// <summary>Allocates an uninitialized device buffer of <paramref name="length"/> floats.</summary>
    public CudaBuffer Allocate(int length) => new(this, length);

    /// <summary>Allocates a device buffer holding a copy of <paramref name="values"/>.</summary>
    public CudaBuffer Upload(ReadOnlySpan<float> values)
    {
        var buffer = new CudaBuffer(this, values.Length);
        buffer.Upload(values);
        return buffer;
    }

    /// <summary>Waits until all queued work on this backend's stream has finished.</summary>
    public void Synchronize()
    {
        MakeCurrent();
        Driver.Synchronize(Stream);
    }

    /// <summary>Row-major C = alpha op(A) op(B) + beta C on device buffers (queued; cuBLAS SGEMM).</summary>
    public void Gemm(Transpose transposeA, Transpose transposeB, int m, int n, int k,
        float alpha, CudaBuffer a, int lda, CudaBuffer b, int ldb, float beta, CudaBuffer c, int ldc)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        var (ea, eb, ec) = GemmShape.Extents(transposeA, transposeB, m, n, k, lda, ldb, ldc);
        if (a.Length < ea || b.Length < eb || c.Length < ec)
            throw new ArgumentException($"Device buffers are too small for this GEMM (need A {ea}, B {eb}, C {ec} floats; have {a.Length}, {b.Length}, {c.Length}).");
        GemmAt(transposeA, transposeB, m, n, k, alpha, a.Pointer, lda, b.Pointer, ldb, beta, c.Pointer, ldc);
    }

    /// <summary>Row-major SGEMM on device addresses whose extents the caller has checked (queued on the stream).</summary>
    internal void GemmAt(Transpose transposeA, Transpose transposeB, int m, int n, int k,
        float alpha, ulong a, int lda, ulong b, int ldb, float beta, ulong c, int ldc)
    {
        if (m == 0 || n == 0) return;
        MakeCurrent();
        if (k == 0)
        {
            // Nothing of A or B is read: C = beta C. Give cuBLAS leading dimensions it accepts for the empty operands.
            lda = Math.Max(lda, Math.Max(m, 1));
            ldb = Math.Max(ldb, Math.Max(n, 1));
        }
        Blas.SgemmRowMajor(blasHandle, transposeA, transposeB, m, n, k, alpha, a, Math.Max(lda, 1), b, Math.Max(ldb, 1), beta, c, Math.Max(ldc, 1));
    }

    /// <inheritdoc />
    public void Gemm(Transpose transposeA, Transpose transposeB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        var (ea, eb, ec) = GemmShape.Extents(transposeA, transposeB, m, n, k, lda, ldb, ldc);
        if (a.Length < ea || b.Length < eb || c.Length < ec)
            throw new ArgumentException($"Spans are too small for this GEMM (need A {ea}, B {eb}, C {ec} floats; have {a.Length}, {b.Length}, {c.Length}).");
        if (m == 0 || n == 0) return;
        lock (gate)
        {
            var da = Scratch(ref scratchA, (int)ea);
            var db = Scratch(ref scratchB, (int)eb);
            var dc = Scratch(ref scratchC, (int)ec);
            if (ea > 0) da.Upload(a[..(int)ea]);
            if (eb > 0) db.Upload(b[..(int)eb]);
            if (beta != 0f) dc.Upload(c[..(int)ec]);
            Gemm(transposeA, transposeB, m, n, k, alpha, da, lda, db, ldb, beta, dc, ldc);
            dc.Download(c[..(int)ec]);
        }
    }

    private CudaBuffer Scratch(ref CudaBuffer? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer?.Dispose();
            buffer = Allocate(Math.Max(length, 1));
        }
        return buffer;
    }

    /// <inheritdoc />
    public void For(int count, int grain, Action<int, int> body) => cpu.For(count, grain, body);

    /// <summary>Frees the scratch buffers, the kernels, the cuBLAS handle and the stream, and releases the context.</summary>
    public void Dispose()
    {
        if (disposed) return;
        Driver.SetCurrent(context);
        Driver.Synchronize(Stream);
        scratchA?.Dispose(); scratchB?.Dispose(); scratchC?.Dispose();
        Kernels.Unload();
        Blas.Destroy(blasHandle);
        Driver.DestroyStream(Stream);
        Driver.ReleasePrimaryContext(device);
        disposed = true;
    }
}

using System.Runtime.InteropServices;

namespace FreeEnergy.Compute.Cuda;

/// <summary>
/// Thin bindings to the CUDA driver API (libcuda.so.1) through function pointers resolved at run time.
/// Every call is checked: a failure throws <see cref="CudaException"/> naming the call and the CUDA error.
/// </summary>
internal sealed unsafe class CudaDriver
{
    public const string LibraryName = "libcuda.so.1";
    private static readonly string[] Candidates = ["libcuda.so.1", "libcuda.so"];
    private static readonly object Gate = new();
    private static CudaDriver? instance;
    private static string? failure;

    public const int AttributeMultiprocessorCount = 16;
    public const int AttributeClockRate = 13;
    public const int AttributeComputeCapabilityMajor = 75;
    public const int AttributeComputeCapabilityMinor = 76;
    public const int ErrorNoDevice = 100;

    private readonly delegate* unmanaged<uint, int> cuInit;
    private readonly delegate* unmanaged<int*, int> cuDriverGetVersion;
    private readonly delegate* unmanaged<int*, int> cuDeviceGetCount;
    private readonly delegate* unmanaged<int*, int, int> cuDeviceGet;
    private readonly delegate* unmanaged<byte*, int, int, int> cuDeviceGetName;
    private readonly delegate* unmanaged<int*, int, int, int> cuDeviceGetAttribute;
    private readonly delegate* unmanaged<nuint*, int, int> cuDeviceTotalMem;
    private readonly delegate* unmanaged<IntPtr*, int, int> cuDevicePrimaryCtxRetain;
    private readonly delegate* unmanaged<int, int> cuDevicePrimaryCtxRelease;
    private readonly delegate* unmanaged<IntPtr, int> cuCtxSetCurrent;
    private readonly delegate* unmanaged<ulong*, nuint, int> cuMemAlloc;
    private readonly delegate* unmanaged<ulong, int> cuMemFree;
    private readonly delegate* unmanaged<ulong, void*, nuint, int> cuMemcpyHtoD;
    private readonly delegate* unmanaged<void*, ulong, nuint, int> cuMemcpyDtoH;
    private readonly delegate* unmanaged<ulong, void*, nuint, IntPtr, int> cuMemcpyHtoDAsync;
    private readonly delegate* unmanaged<void*, ulong, nuint, IntPtr, int> cuMemcpyDtoHAsync;
    private readonly delegate* unmanaged<ulong, ulong, nuint, IntPtr, int> cuMemcpyDtoDAsync;
    private readonly delegate* unmanaged<ulong, uint, nuint, IntPtr, int> cuMemsetD32Async;
    private readonly delegate* unmanaged<IntPtr*, uint, int> cuStreamCreate;
    private readonly delegate* unmanaged<IntPtr, int> cuStreamSynchronize;
    private readonly delegate* unmanaged<IntPtr, int> cuStreamDestroy;
    private readonly delegate* unmanaged<IntPtr*, void*, int> cuModuleLoadData;
    private readonly delegate* unmanaged<IntPtr*, IntPtr, byte*, int> cuModuleGetFunction;
    private readonly delegate* unmanaged<IntPtr, int> cuModuleUnload;
    private readonly delegate* unmanaged<IntPtr, uint, uint, uint, uint, uint, uint, uint, IntPtr, void**, void**, int> cuLaunchKernel;
    private readonly delegate* unmanaged<int, byte**, int> cuGetErrorName;

    private CudaDriver(IntPtr library)
    {
        IntPtr E(string name) => CudaLibraryLoader.Export(library, LibraryName, name);
        cuInit = (delegate* unmanaged<uint, int>)E("cuInit");
        cuDriverGetVersion = (delegate* unmanaged<int*, int>)E("cuDriverGetVersion");
        cuDeviceGetCount = (delegate* unmanaged<int*, int>)E("cuDeviceGetCount");
        cuDeviceGet = (delegate* unmanaged<int*, int, int>)E("cuDeviceGet");
        cuDeviceGetName = (delegate* unmanaged<byte*, int, int, int>)E("cuDeviceGetName");
        cuDeviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)E("cuDeviceGetAttribute");
        cuDeviceTotalMem = (delegate* unmanaged<nuint*, int, int>)E("cuDeviceTotalMem_v2");
        cuDevicePrimaryCtxRetain = (delegate* unmanaged<IntPtr*, int, int>)E("cuDevicePrimaryCtxRetain");
        var release = CudaLibraryLoader.OptionalExport(library, "cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease");
        cuDevicePrimaryCtxRelease = release != IntPtr.Zero ? (delegate* unmanaged<int, int>)release : (delegate* unmanaged<int, int>)E("cuDevicePrimaryCtxRelease");
        cuCtxSetCurrent = (delegate* unmanaged<IntPtr, int>)E("cuCtxSetCurrent");
        cuMemAlloc = (delegate* unmanaged<ulong*, nuint, int>)E("cuMemAlloc_v2");
        cuMemFree = (delegate* unmanaged<ulong, int>)E("cuMemFree_v2");
        cuMemcpyHtoD = (delegate* unmanaged<ulong, void*, nuint, int>)E("cuMemcpyHtoD_v2");
        cuMemcpyDtoH = (delegate* unmanaged<void*, ulong, nuint, int>)E("cuMemcpyDtoH_v2");
        cuMemcpyHtoDAsync = (delegate* unmanaged<ulong, void*, nuint, IntPtr, int>)E("cuMemcpyHtoDAsync_v2");
        cuMemcpyDtoHAsync = (delegate* unmanaged<void*, ulong, nuint, IntPtr, int>)E("cuMemcpyDtoHAsync_v2");
        cuMemcpyDtoDAsync = (delegate* unmanaged<ulong, ulong, nuint, IntPtr, int>)E("cuMemcpyDtoDAsync_v2");
        cuMemsetD32Async = (delegate* unmanaged<ulong, uint, nuint, IntPtr, int>)E("cuMemsetD32Async");
        cuStreamCreate = (delegate* unmanaged<IntPtr*, uint, int>)E("cuStreamCreate");
        cuStreamSynchronize = (delegate* unmanaged<IntPtr, int>)E("cuStreamSynchronize");
        cuStreamDestroy = (delegate* unmanaged<IntPtr, int>)E("cuStreamDestroy_v2");
        cuModuleLoadData = (delegate* unmanaged<IntPtr*, void*, int>)E("cuModuleLoadData");
        cuModuleGetFunction = (delegate* unmanaged<IntPtr*, IntPtr, byte*, int>)E("cuModuleGetFunction");
        cuModuleUnload = (delegate* unmanaged<IntPtr, int>)E("cuModuleUnload");
        cuLaunchKernel = (delegate* unmanaged<IntPtr, uint, uint, uint, uint, uint, uint, uint, IntPtr, void**, void**, int>)E("cuLaunchKernel");
        cuGetErrorName = (delegate* unmanaged<int, byte**, int>)E("cuGetErrorName");
    }

    /// <summary>The loaded driver, or null with the reason (library missing, or cuInit failed).</summary>
    public static CudaDriver? TryGet(out string reason)
    {
        lock (Gate)
        {
            if (instance is not null) { reason = ""; return instance; }
            if (failure is not null) { reason = failure; return null; }
            if (!CudaLibraryLoader.TryLoad(Candidates, "no NVIDIA driver is installed (use --device cpu)", out var handle, out _, out reason))
            {
                failure = reason;
                return null;
            }
            try
            {
                var driver = new CudaDriver(handle);
                int rc = driver.cuInit(0);
                if (rc != 0)
                {
                    failure = rc == ErrorNoDevice
                        ? "no CUDA device: cuInit returned CUDA_ERROR_NO_DEVICE"
                        : $"cuInit failed with {driver.ErrorName(rc)}";
                    reason = failure;
                    return null;
                }
                instance = driver;
                return driver;
            }
            catch (CudaException e)
            {
                failure = e.Message;
                reason = failure;
                return null;
            }
        }
    }

    /// <summary>The driver, or a <see cref="CudaException"/> with the reason it cannot be used.</summary>
    public static CudaDriver Get() => TryGet(out var reason) ?? throw new CudaException($"CUDA is unavailable: {reason}.");

    public string ErrorName(int code)
    {
        byte* name = null;
        if (cuGetErrorName(code, &name) == 0 && name != null) return Marshal.PtrToStringUTF8((IntPtr)name) ?? $"CUDA error {code}";
        return $"CUDA error {code}";
    }

    public void Check(int code, string call)
    {
        if (code != 0) throw new CudaException($"{call} failed with {ErrorName(code)} ({code}).");
    }

    public int DriverVersion() { int v; Check(cuDriverGetVersion(&v), "cuDriverGetVersion"); return v; }

    public int DeviceCount() { int n; Check(cuDeviceGetCount(&n), "cuDeviceGetCount"); return n; }

    public int Device(int ordinal) { int d; Check(cuDeviceGet(&d, ordinal), "cuDeviceGet"); return d; }

    public string DeviceName(int device)
    {
        byte* buffer = stackalloc byte[256];
        Check(cuDeviceGetName(buffer, 256, device), "cuDeviceGetName");
        return Marshal.PtrToStringUTF8((IntPtr)buffer) ?? "";
    }

    public int Attribute(int device, int attribute) { int v; Check(cuDeviceGetAttribute(&v, attribute, device), "cuDeviceGetAttribute"); return v; }

    public long TotalMemory(int device) { nuint b; Check(cuDeviceTotalMem(&b, device), "cuDeviceTotalMem_v2"); return (long)b; }

    public IntPtr RetainPrimaryContext(int device) { IntPtr c; Check(cuDevicePrimaryCtxRetain(&c, device), "cuDevicePrimaryCtxRetain"); return c; }

    public int ReleasePrimaryContext(int device) => cuDevicePrimaryCtxRelease(device);

    public void SetCurrent(IntPtr context) => Check(cuCtxSetCurrent(context), "cuCtxSetCurrent");

    public ulong Allocate(long bytes)
    {
        ulong p;
        Check(cuMemAlloc(&p, (nuint)Math.Max(bytes, 4)), $"cuMemAlloc_v2 ({bytes} bytes)");
        return p;
    }

    public int Free(ulong pointer) => cuMemFree(pointer);

    public void CopyToDevice(ulong destination, void* source, long bytes, IntPtr stream)
        => Check(stream == IntPtr.Zero ? cuMemcpyHtoD(destination, source, (nuint)bytes) : cuMemcpyHtoDAsync(destination, source, (nuint)bytes, stream),
            stream == IntPtr.Zero ? "cuMemcpyHtoD_v2" : "cuMemcpyHtoDAsync_v2");

    public void CopyToHost(void* destination, ulong source, long bytes, IntPtr stream)
        => Check(stream == IntPtr.Zero ? cuMemcpyDtoH(destination, source, (nuint)bytes) : cuMemcpyDtoHAsync(destination, source, (nuint)bytes, stream),
            stream == IntPtr.Zero ? "cuMemcpyDtoH_v2" : "cuMemcpyDtoHAsync_v2");

    public void CopyDeviceToDevice(ulong destination, ulong source, long bytes, IntPtr stream)
        => Check(cuMemcpyDtoDAsync(destination, source, (nuint)bytes, stream), "cuMemcpyDtoDAsync_v2");

    public void Fill32(ulong destination, uint value, long count, IntPtr stream)
        => Check(cuMemsetD32Async(destination, value, (nuint)count, stream), "cuMemsetD32Async");

    public IntPtr CreateStream() { IntPtr s; Check(cuStreamCreate(&s, 1 /* CU_STREAM_NON_BLOCKING */), "cuStreamCreate"); return s; }

    public void Synchronize(IntPtr stream) => Check(cuStreamSynchronize(stream), "cuStreamSynchronize");

    public int DestroyStream(IntPtr stream) => cuStreamDestroy(stream);

    public IntPtr LoadModule(byte[] imageWithTerminator, string what)
    {
        IntPtr module;
        fixed (byte* image = imageWithTerminator)
        {
            int rc = cuModuleLoadData(&module, image);
            if (rc == 222 /* CUDA_ERROR_UNSUPPORTED_PTX_VERSION */)
                throw new CudaException($"cuModuleLoadData ({what}) failed with {ErrorName(rc)}: the NVRTC library is newer than the NVIDIA driver; update the driver or put an older libnvrtc first in {CudaLibraryLoader.PathVariable}.");
            Check(rc, $"cuModuleLoadData ({what})");
        }
        return module;
    }

    public IntPtr Function(IntPtr module, string name)
    {
        IntPtr f;
        var bytes = System.Text.Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* p = bytes) Check(cuModuleGetFunction(&f, module, p), $"cuModuleGetFunction ({name})");
        return f;
    }

    public int UnloadModule(IntPtr module) => cuModuleUnload(module);

    public void Launch(IntPtr function, string name, uint gridX, uint gridY, uint blockX, uint blockY, IntPtr stream, void** parameters)
        => Check(cuLaunchKernel(function, gridX, gridY, 1, blockX, blockY, 1, 0, stream, parameters, null), $"cuLaunchKernel ({name})");
}

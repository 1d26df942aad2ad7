using System.Runtime.InteropServices;

namespace FreeEnergy.Compute.Cuda;

/// <summary>Thin bindings to cuBLAS (libcublas.so.13, .12 or .11): a handle bound to a stream and SGEMM.</summary>
internal sealed unsafe class Cublas
{
    private static readonly string[] Candidates = ["libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"];
    private static readonly object Gate = new();
    private static Cublas? instance;
    private static string? failure;

    private readonly delegate* unmanaged<IntPtr*, int> cublasCreate;
    private readonly delegate* unmanaged<IntPtr, int> cublasDestroy;
    private readonly delegate* unmanaged<IntPtr, IntPtr, int> cublasSetStream;
    private readonly delegate* unmanaged<IntPtr, int, int> cublasSetMathMode;
    private readonly delegate* unmanaged<IntPtr, int*, int> cublasGetVersion;
    private readonly delegate* unmanaged<IntPtr, int, int, int, int, int, float*, ulong, int, ulong, int, float*, ulong, int, int> cublasSgemm;

    private Cublas(IntPtr library, string loadedName)
    {
        LibraryName = loadedName;
        IntPtr E(string name) => CudaLibraryLoader.Export(library, loadedName, name);
        cublasCreate = (delegate* unmanaged<IntPtr*, int>)E("cublasCreate_v2");
        cublasDestroy = (delegate* unmanaged<IntPtr, int>)E("cublasDestroy_v2");
        cublasSetStream = (delegate* unmanaged<IntPtr, IntPtr, int>)E("cublasSetStream_v2");
        cublasSetMathMode = (delegate* unmanaged<IntPtr, int, int>)E("cublasSetMathMode");
        cublasGetVersion = (delegate* unmanaged<IntPtr, int*, int>)E("cublasGetVersion_v2");
        cublasSgemm = (delegate* unmanaged<IntPtr, int, int, int, int, int, float*, ulong, int, ulong, int, float*, ulong, int, int>)E("cublasSgemm_v2");
    }

    /// <summary>The soname (or path) that was loaded.</summary>
    public string LibraryName { get; }

    /// <summary>The loaded library, or null with a reason naming the sonames tried.</summary>
    public static Cublas? TryGet(out string reason)
    {
        lock (Gate)
        {
            if (instance is not null) { reason = ""; return instance; }
            if (failure is not null) { reason = failure; return null; }
            if (!CudaLibraryLoader.TryLoad(CudaLibraryLoader.PreferDriverCompatible(Candidates, CudaLibraryLoader.DriverMajor()), "install the CUDA runtime (cuBLAS) or use --device cpu", out var handle, out var name, out reason))
            {
                failure = reason;
                return null;
            }
            try
            {
                instance = new Cublas(handle, name);
                return instance;
            }
            catch (CudaException e)
            {
                failure = reason = e.Message;
                return null;
            }
        }
    }

    /// <summary>Creates a handle on the current context, bound to <paramref name="stream"/>, TF32 tensor ops when allowed.</summary>
    public IntPtr CreateHandle(IntPtr stream, bool allowTf32)
    {
        IntPtr handle;
        Check(cublasCreate(&handle), "cublasCreate_v2");
        Check(cublasSetStream(handle, stream), "cublasSetStream_v2");
        Check(cublasSetMathMode(handle, allowTf32 ? 3 /* CUBLAS_TF32_TENSOR_OP_MATH */ : 0 /* CUBLAS_DEFAULT_MATH */), "cublasSetMathMode");
        return handle;
    }

    /// <summary>The cuBLAS version number (e.g. 120402) for a live handle.</summary>
    public int Version(IntPtr handle) { int v; Check(cublasGetVersion(handle, &v), "cublasGetVersion_v2"); return v; }

    public int Destroy(IntPtr handle) => cublasDestroy(handle);

    /// <summary>
    /// Row-major C = alpha op(A) op(B) + beta C on device pointers. cuBLAS is column-major, and a row-major
    /// matrix is its transpose in column-major, so this computes C^T = op(B)^T op(A)^T: swap the operands
    /// and m/n, keep the transposition flags and leading dimensions.
    /// </summary>
    public void SgemmRowMajor(IntPtr handle, Transpose transposeA, Transpose transposeB, int m, int n, int k,
        float alpha, ulong a, int lda, ulong b, int ldb, float beta, ulong c, int ldc)
    {
        int opA = transposeA == Transpose.Transposed ? 1 : 0, opB = transposeB == Transpose.Transposed ? 1 : 0;
        Check(cublasSgemm(handle, opB, opA, n, m, k, &alpha, b, ldb, a, lda, &beta, c, ldc), "cublasSgemm_v2");
    }

    private static void Check(int status, string call)
    {
        if (status != 0) throw new CudaException($"{call} failed with {StatusName(status)} ({status}).");
    }

    private static string StatusName(int status) => status switch
    {
        1 => "CUBLAS_STATUS_NOT_INITIALIZED",
        3 => "CUBLAS_STATUS_ALLOC_FAILED",
        7 => "CUBLAS_STATUS_INVALID_VALUE",
        8 => "CUBLAS_STATUS_ARCH_MISMATCH",
        11 => "CUBLAS_STATUS_MAPPING_ERROR",
        13 => "CUBLAS_STATUS_EXECUTION_FAILED",
        14 => "CUBLAS_STATUS_INTERNAL_ERROR",
        15 => "CUBLAS_STATUS_NOT_SUPPORTED",
        16 => "CUBLAS_STATUS_LICENSE_ERROR",
        _ => $"CUBLAS status {status}",
    };
}

using System.Runtime.InteropServices;
using System.Text;

namespace FreeEnergy.Compute.Cuda;

/// <summary>
/// Thin bindings to NVRTC, the CUDA run-time compiler (libnvrtc.so.13, .12, .11.2 or unversioned), used to
/// compile the embedded kernel sources to PTX. Compiling needs no GPU.
/// </summary>
internal sealed unsafe class Nvrtc
{
    private static readonly string[] Candidates = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"];
    private static readonly object Gate = new();
    private static Nvrtc? instance;
    private static string? failure;

    private readonly delegate* unmanaged<int*, int*, int> nvrtcVersion;
    private readonly delegate* unmanaged<IntPtr*, byte*, byte*, int, byte**, byte**, int> nvrtcCreateProgram;
    private readonly delegate* unmanaged<IntPtr, int, byte**, int> nvrtcCompileProgram;
    private readonly delegate* unmanaged<IntPtr, nuint*, int> nvrtcGetPTXSize;
    private readonly delegate* unmanaged<IntPtr, byte*, int> nvrtcGetPTX;
    private readonly delegate* unmanaged<IntPtr, nuint*, int> nvrtcGetProgramLogSize;
    private readonly delegate* unmanaged<IntPtr, byte*, int> nvrtcGetProgramLog;
    private readonly delegate* unmanaged<IntPtr*, int> nvrtcDestroyProgram;
    private readonly delegate* unmanaged<int, byte*> nvrtcGetErrorString;
    private readonly delegate* unmanaged<IntPtr, nuint*, int> nvrtcGetCUBINSize;
    private readonly delegate* unmanaged<IntPtr, byte*, int> nvrtcGetCUBIN;
    private readonly delegate* unmanaged<int*, int> nvrtcGetNumSupportedArchs;
    private readonly delegate* unmanaged<int*, int> nvrtcGetSupportedArchs;

    private Nvrtc(IntPtr library, string loadedName)
    {
        LibraryName = loadedName;
        IntPtr E(string name) => CudaLibraryLoader.Export(library, loadedName, name);
        nvrtcVersion = (delegate* unmanaged<int*, int*, int>)E("nvrtcVersion");
        nvrtcCreateProgram = (delegate* unmanaged<IntPtr*, byte*, byte*, int, byte**, byte**, int>)E("nvrtcCreateProgram");
        nvrtcCompileProgram = (delegate* unmanaged<IntPtr, int, byte**, int>)E("nvrtcCompileProgram");
        nvrtcGetPTXSize = (delegate* unmanaged<IntPtr, nuint*, int>)E("nvrtcGetPTXSize");
        nvrtcGetPTX = (delegate* unmanaged<IntPtr, byte*, int>)E("nvrtcGetPTX");
        nvrtcGetProgramLogSize = (delegate* unmanaged<IntPtr, nuint*, int>)E("nvrtcGetProgramLogSize");
        nvrtcGetProgramLog = (delegate* unmanaged<IntPtr, byte*, int>)E("nvrtcGetProgramLog");
        nvrtcDestroyProgram = (delegate* unmanaged<IntPtr*, int>)E("nvrtcDestroyProgram");
        nvrtcGetErrorString = (delegate* unmanaged<int, byte*>)E("nvrtcGetErrorString");
        nvrtcGetCUBINSize = (delegate* unmanaged<IntPtr, nuint*, int>)CudaLibraryLoader.OptionalExport(library, "nvrtcGetCUBINSize");
        nvrtcGetCUBIN = (delegate* unmanaged<IntPtr, byte*, int>)CudaLibraryLoader.OptionalExport(library, "nvrtcGetCUBIN");
        nvrtcGetNumSupportedArchs = (delegate* unmanaged<int*, int>)CudaLibraryLoader.OptionalExport(library, "nvrtcGetNumSupportedArchs");
        nvrtcGetSupportedArchs = (delegate* unmanaged<int*, int>)CudaLibraryLoader.OptionalExport(library, "nvrtcGetSupportedArchs");
        int major, minor;
        Check(nvrtcVersion(&major, &minor), "nvrtcVersion");
        Version = new Version(major, minor);
    }

    /// <summary>The soname (or path) that was loaded.</summary>
    public string LibraryName { get; }

    /// <summary>The NVRTC version (e.g. 11.8).</summary>
    public Version Version { get; }

    /// <summary>The loaded compiler, or null with a reason naming the libraries tried.</summary>
    public static Nvrtc? TryGet(out string reason)
    {
        lock (Gate)
        {
            if (instance is not null) { reason = ""; return instance; }
            if (failure is not null) { reason = failure; return null; }
            if (!CudaLibraryLoader.TryLoad(CudaLibraryLoader.PreferDriverCompatible(Candidates, CudaLibraryLoader.DriverMajor()), "install the CUDA runtime compiler (Debian: libnvrtc11.2 from non-free) or use --device cpu", out var handle, out var name, out reason))
            {
                failure = reason;
                return null;
            }
            try
            {
                instance = new Nvrtc(handle, name);
                return instance;
            }
            catch (CudaException e)
            {
                failure = reason = e.Message;
                return null;
            }
        }
    }

    /// <summary>The compiler, or a <see cref="CudaException"/> saying why it cannot be loaded.</summary>
    public static Nvrtc Get() => TryGet(out var reason) ?? throw new CudaException(reason + ".");

    /// <summary>The virtual architectures (e.g. 80 for compute_80) this NVRTC can target; empty when it cannot say.</summary>
    public int[] SupportedArchitectures()
    {
        if (nvrtcGetNumSupportedArchs == null || nvrtcGetSupportedArchs == null) return [];
        int count;
        if (nvrtcGetNumSupportedArchs(&count) != 0 || count <= 0) return [];
        var archs = new int[count];
        fixed (int* p = archs) if (nvrtcGetSupportedArchs(p) != 0) return [];
        return archs;
    }

    /// <summary>Whether this NVRTC can emit device code (CUBIN) directly, which avoids PTX JIT in the driver.</summary>
    public bool CanEmitCubin => nvrtcGetCUBINSize != null && nvrtcGetCUBIN != null;

    /// <summary>
    /// Compiles <paramref name="source"/> (with the given headers, name => text) to PTX for virtual
    /// architecture compute_<paramref name="architecture"/>. A compile error throws with the compiler log.
    /// </summary>
    public string CompileToPtx(string source, string programName, IReadOnlyDictionary<string, string> headers, int architecture, IReadOnlyList<string>? extraOptions = null)
    {
        var ptx = Compile(source, programName, headers, architecture, cubin: false, extraOptions);
        int length = Array.IndexOf(ptx, (byte)0);
        return Encoding.UTF8.GetString(ptx, 0, length < 0 ? ptx.Length : length);
    }

    /// <summary>
    /// Compiles to PTX (compute_XX, NUL-terminated) or, with <paramref name="cubin"/>, to a CUBIN for the real
    /// architecture sm_XX. Either image can be passed to cuModuleLoadData.
    /// </summary>
    public byte[] Compile(string source, string programName, IReadOnlyDictionary<string, string> headers, int architecture, bool cubin, IReadOnlyList<string>? extraOptions = null)
    {
        if (cubin && !CanEmitCubin) throw new CudaException($"NVRTC {Version} cannot emit CUBIN (needs 11.1 or later).");
        var allocations = new List<IntPtr>();
        IntPtr Utf8(string s)
        {
            var p = Marshal.StringToCoTaskMemUTF8(s);
            allocations.Add(p);
            return p;
        }
        IntPtr program = IntPtr.Zero;
        try
        {
            int headerCount = headers.Count;
            var headerTexts = new IntPtr[headerCount];
            var headerNames = new IntPtr[headerCount];
            int h = 0;
            foreach (var (name, text) in headers)
            {
                headerNames[h] = Utf8(name);
                headerTexts[h] = Utf8(text);
                h++;
            }
            var options = new List<string> { $"--gpu-architecture={(cubin ? "sm" : "compute")}_{architecture}", "--std=c++14" };
            if (extraOptions is not null) options.AddRange(extraOptions);
            var optionPointers = new IntPtr[options.Count];
            for (int i = 0; i < options.Count; i++) optionPointers[i] = Utf8(options[i]);

            fixed (IntPtr* texts = headerTexts)
            fixed (IntPtr* names = headerNames)
            fixed (IntPtr* opts = optionPointers)
            {
                Check(nvrtcCreateProgram(&program, (byte*)Utf8(source), (byte*)Utf8(programName), headerCount,
                    headerCount == 0 ? null : (byte**)texts, headerCount == 0 ? null : (byte**)names), $"nvrtcCreateProgram ({programName})");
                int rc = nvrtcCompileProgram(program, options.Count, (byte**)opts);
                if (rc != 0)
                {
                    throw new CudaException($"nvrtcCompileProgram ({programName}, {(cubin ? "sm" : "compute")}_{architecture}) failed with {ErrorString(rc)} (NVRTC {Version}): {Log(program).Trim()}");
                }
            }
            nuint size;
            if (cubin)
            {
                Check(nvrtcGetCUBINSize(program, &size), "nvrtcGetCUBINSize");
                var image = new byte[(int)size];
                fixed (byte* p = image) Check(nvrtcGetCUBIN(program, p), "nvrtcGetCUBIN");
                return image;
            }
            Check(nvrtcGetPTXSize(program, &size), "nvrtcGetPTXSize");
            var ptx = new byte[(int)size];
            fixed (byte* p = ptx) Check(nvrtcGetPTX(program, p), "nvrtcGetPTX");
            return ptx;
        }
        finally
        {
            if (program != IntPtr.Zero) nvrtcDestroyProgram(&program);
            foreach (var p in allocations) Marshal.FreeCoTaskMem(p);
        }
    }

    private string Log(IntPtr program)
    {
        nuint size;
        if (nvrtcGetProgramLogSize(program, &size) != 0 || size <= 1) return "(no log)";
        var log = new byte[(int)size];
        fixed (byte* p = log) if (nvrtcGetProgramLog(program, p) != 0) return "(no log)";
        return Encoding.UTF8.GetString(log, 0, log.Length - 1);
    }

    private string ErrorString(int code)
    {
        var s = nvrtcGetErrorString(code);
        return s == null ? $"NVRTC error {code}" : Marshal.PtrToStringUTF8((IntPtr)s) ?? $"NVRTC error {code}";
    }

    private void Check(int code, string call)
    {
        if (code != 0) throw new CudaException($"{call} failed with {ErrorString(code)} ({code}).");
    }
}

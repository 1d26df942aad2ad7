using System.Runtime.InteropServices;

namespace FreeEnergy.Compute.Cuda;

/// <summary>
/// Finds a native CUDA library among candidate sonames with <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/>,
/// so a missing library is a reported fact, never a type-load crash. Directories listed in the
/// <c>FREEENERGY_CUDA_PATH</c> environment variable (colon-separated) are tried before the system search path.
/// </summary>
internal static class CudaLibraryLoader
{
    /// <summary>The environment variable with extra directories to search first.</summary>
    public const string PathVariable = "FREEENERGY_CUDA_PATH";

    /// <summary>Loads the first candidate that opens; returns false with a reason naming every candidate otherwise.</summary>
    public static bool TryLoad(string[] candidates, string missingAdvice, out IntPtr handle, out string loadedName, out string reason)
    {
        var directories = (Environment.GetEnvironmentVariable(PathVariable) ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in candidates)
        {
            foreach (var directory in directories)
            {
                var path = Path.Combine(directory, name);
                if (File.Exists(path) && NativeLibrary.TryLoad(path, out handle))
                {
                    loadedName = path;
                    reason = "";
                    return true;
                }
            }
            if (NativeLibrary.TryLoad(name, out handle))
            {
                loadedName = name;
                reason = "";
                return true;
            }
        }
        handle = IntPtr.Zero;
        loadedName = "";
        reason = $"{DescribeCandidates(candidates)} not found: {missingAdvice}";
        return false;
    }

    /// <summary>The address of <paramref name="symbol"/>, or a <see cref="CudaException"/> naming the library and symbol.</summary>
    public static IntPtr Export(IntPtr library, string libraryName, string symbol)
    {
        if (NativeLibrary.TryGetExport(library, symbol, out var address)) return address;
        throw new CudaException($"{libraryName} has no export '{symbol}': the library is too old or not a CUDA library.");
    }

    /// <summary>The address of the first of <paramref name="symbols"/> that exists, or zero.</summary>
    public static IntPtr OptionalExport(IntPtr library, params string[] symbols)
    {
        foreach (var symbol in symbols)
            if (NativeLibrary.TryGetExport(library, symbol, out var address)) return address;
        return IntPtr.Zero;
    }

    /// <summary>
    /// Orders versioned candidates so that libraries whose major version is at most the driver's CUDA major
    /// come first (newest first): a CUDA 13 library on a CUDA 12 driver loads but fails at its first call.
    /// Without a driver (<paramref name="driverMajor"/> null) the order is kept.
    /// </summary>
    public static string[] PreferDriverCompatible(string[] candidates, int? driverMajor)
    {
        if (driverMajor is not int major) return candidates;
        var compatible = new List<string>();
        var others = new List<string>();
        foreach (var c in candidates)
        {
            int? v = MajorVersion(c);
            if (v is null || v <= major) compatible.Add(c); else others.Add(c);
        }
        compatible.AddRange(others);
        return [.. compatible];
    }

    /// <summary>The major version in a soname such as libnvrtc.so.11.2 (11), or null when unversioned.</summary>
    public static int? MajorVersion(string soname)
    {
        int at = soname.IndexOf(".so.", StringComparison.Ordinal);
        if (at < 0) return null;
        var rest = soname[(at + 4)..];
        int dot = rest.IndexOf('.');
        return int.TryParse(dot < 0 ? rest : rest[..dot], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    /// <summary>The CUDA major version of the installed driver, or null without a usable driver.</summary>
    public static int? DriverMajor()
    {
        try
        {
            var driver = CudaDriver.TryGet(out _);
            return driver is null ? null : driver.DriverVersion() / 1000;
        }
        catch (CudaException)
        {
            return null;
        }
    }

    /// <summary>"libcublas.so.13/.12/.11" style list of candidate names.</summary>
    public static string DescribeCandidates(string[] candidates)
    {
        if (candidates.Length == 0) return "";
        var first = candidates[0];
        var parts = new List<string> { first };
        int stem = first.IndexOf(".so", StringComparison.Ordinal);
        for (int i = 1; i < candidates.Length; i++)
        {
            var c = candidates[i];
            if (stem > 0 && c.StartsWith(first[..(stem + 3)], StringComparison.Ordinal) && c.Length > stem + 3)
                parts.Add(c[(stem + 3)..]);
            else if (stem > 0 && c == first[..(stem + 3)])
                parts.Add(c);
            else
                parts.Add(c);
        }
        return string.Join("/", parts);
    }
}

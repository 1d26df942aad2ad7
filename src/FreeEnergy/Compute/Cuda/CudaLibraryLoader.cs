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

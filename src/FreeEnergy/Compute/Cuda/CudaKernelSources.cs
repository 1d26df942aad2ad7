using System.Reflection;

namespace FreeEnergy.Compute.Cuda;

/// <summary>
/// The kernel sources (Kernels/*.cu and the shared header philox.cuh) embedded in the assembly as
/// resources named <c>FreeEnergy.Cuda.Kernels.{file}</c>.
/// </summary>
internal static class CudaKernelSources
{
    private const string Prefix = "FreeEnergy.Cuda.Kernels.";

    /// <summary>The compilable kernel files (one CUDA module each).</summary>
    public static readonly string[] Modules = ["activations.cu", "sampling.cu", "reductions.cu", "optimizers.cu", "gather.cu", "vae.cu", "hierarchical_vae.cu"];

    /// <summary>Header files every module may include by name.</summary>
    public static readonly string[] Headers = ["philox.cuh"];

    /// <summary>The text of an embedded kernel file.</summary>
    public static string Read(string file)
    {
        using var stream = typeof(CudaKernelSources).Assembly.GetManifestResourceStream(Prefix + file)
            ?? throw new CudaException($"The kernel source '{file}' is not embedded in {typeof(CudaKernelSources).Assembly.GetName().Name}: the build is broken.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>All headers, name to text.</summary>
    public static IReadOnlyDictionary<string, string> ReadHeaders()
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var h in Headers) headers[h] = Read(h);
        return headers;
    }

    /// <summary>Names of all embedded kernel resources (for diagnostics and tests).</summary>
    public static IEnumerable<string> EmbeddedNames()
    {
        Assembly assembly = typeof(CudaKernelSources).Assembly;
        foreach (var name in assembly.GetManifestResourceNames())
            if (name.StartsWith(Prefix, StringComparison.Ordinal)) yield return name[Prefix.Length..];
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace FreeEnergy.Compute.Cuda;

/// <summary>
/// Compiles kernel modules to PTX once per (source, architecture, NVRTC version) and keeps the result in
/// memory and, unless disabled, on disk under <c>~/.cache/freeenergy/ptx</c> (or <c>$XDG_CACHE_HOME/freeenergy/ptx</c>)
/// in files named by a hash of the source and headers, the architecture and the NVRTC version.
/// A broken or unwritable disk cache is ignored (the module is compiled again).
/// </summary>
internal static class PtxCache
{
    private static readonly ConcurrentDictionary<string, string> Memory = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, byte[]> Binaries = new(StringComparer.Ordinal);

    /// <summary>The default on-disk cache directory.</summary>
    public static string DefaultDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "freeenergy", "ptx");
    }

    /// <summary>The PTX of <paramref name="module"/> for compute_<paramref name="architecture"/>.</summary>
    public static string Get(Nvrtc nvrtc, string module, int architecture, string? diskDirectory)
    {
        var source = CudaKernelSources.Read(module);
        var headers = CudaKernelSources.ReadHeaders();
        var key = Key(module, source, headers, architecture, nvrtc.Version);
        if (Memory.TryGetValue(key, out var cached)) return cached;
        string? file = diskDirectory is null ? null : Path.Combine(diskDirectory, key + ".ptx");
        if (file is not null)
        {
            try
            {
                if (File.Exists(file))
                {
                    var text = File.ReadAllText(file);
                    if (text.Contains(".entry", StringComparison.Ordinal)) return Memory[key] = text;
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        var ptx = nvrtc.CompileToPtx(source, module, headers, architecture);
        Memory[key] = ptx;
        if (file is not null)
        {
            try
            {
                Directory.CreateDirectory(diskDirectory!);
                var temporary = file + "." + Environment.ProcessId + ".tmp";
                File.WriteAllText(temporary, ptx);
                File.Move(temporary, file, overwrite: true);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return ptx;
    }

    /// <summary>
    /// The loadable image of <paramref name="module"/>: a CUBIN for sm_<paramref name="architecture"/> when
    /// <paramref name="cubin"/> (no driver JIT, works on drivers older than NVRTC within a major version), else
    /// NUL-terminated PTX for compute_<paramref name="architecture"/>. Cached like <see cref="Get"/>.
    /// </summary>
    public static byte[] GetImage(Nvrtc nvrtc, string module, int architecture, bool cubin, string? diskDirectory)
    {
        if (!cubin) return Encoding.UTF8.GetBytes(Get(nvrtc, module, architecture, diskDirectory) + "\0");
        var source = CudaKernelSources.Read(module);
        var headers = CudaKernelSources.ReadHeaders();
        var key = Key(module, source, headers, architecture, nvrtc.Version).Replace("-compute", "-sm", StringComparison.Ordinal);
        if (Binaries.TryGetValue(key, out var cached)) return cached;
        string? file = diskDirectory is null ? null : Path.Combine(diskDirectory, key + ".cubin");
        try
        {
            if (file is not null && File.Exists(file))
            {
                var bytes = File.ReadAllBytes(file);
                if (bytes.Length > 4 && bytes[0] == 0x7F && bytes[1] == (byte)'E' && bytes[2] == (byte)'L' && bytes[3] == (byte)'F') return Binaries[key] = bytes;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        var image = nvrtc.Compile(source, module, headers, architecture, cubin: true);
        Binaries[key] = image;
        if (file is not null)
        {
            try
            {
                Directory.CreateDirectory(diskDirectory!);
                var temporary = file + "." + Environment.ProcessId + ".tmp";
                File.WriteAllBytes(temporary, image);
                File.Move(temporary, file, overwrite: true);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return image;
    }

    /// <summary>"{module}-sm{arch}-nvrtc{version}-{hash16}".</summary>
    public static string Key(string module, string source, IReadOnlyDictionary<string, string> headers, int architecture, Version nvrtcVersion)
    {
        var text = new StringBuilder(source);
        foreach (var (name, header) in headers.OrderBy(h => h.Key, StringComparer.Ordinal)) text.Append('\0').Append(name).Append('\0').Append(header);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16].ToLowerInvariant();
        return $"{Path.GetFileNameWithoutExtension(module)}-compute{architecture}-nvrtc{nvrtcVersion.Major}.{nvrtcVersion.Minor}-{hash}";
    }
}

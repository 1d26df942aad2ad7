using System.Reflection;

namespace FreeEnergy;

/// <summary>Facts about this build of the library, recorded in model files and ONNX metadata.</summary>
public static class LibraryInfo
{
    /// <summary>The library's informational version (e.g. "0.1.0").</summary>
    public static string Version { get; } =
        typeof(LibraryInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
        ?? typeof(LibraryInfo).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>The product name.</summary>
    public const string Name = "FreeEnergyML";
}

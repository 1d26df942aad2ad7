using System.Reflection;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// The ML.NET environment behind a catalog: the <c>MLContext</c>'s seed, log and settings. ML.NET keeps a catalog's
/// environment internal (its own <c>CatalogUtils</c> is visible only to ML.NET's assemblies), so it is read here by
/// reflection on the members ML.NET 6.0 has; when that fails the error says so, rather than falling back to a new context
/// that would drop the caller's seed and log.
/// </summary>
internal static class CatalogEnvironment
{
    private const BindingFlags Members = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    /// <summary>The environment of <paramref name="catalog"/> (a transforms or trainers catalog of an <c>MLContext</c>).</summary>
    public static IHostEnvironment Of(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        object owner = catalog;
        for (int depth = 0; depth < 3; depth++)
        {
            if (InternalCatalogEnvironment(owner) is IHostEnvironment environment) return environment;
            if (Property(owner, "Owner") is not { } next) break;
            owner = next;
        }
        throw Unreachable($"the environment of {catalog.GetType().FullName}");
    }

    /// <summary>The transforms catalog of <paramref name="environment"/>, for pipelines built inside a trainer.</summary>
    public static TransformsCatalog Transforms(IHostEnvironment environment)
    {
        var constructor = typeof(TransformsCatalog).GetConstructor(Members, null, new[] { typeof(IHostEnvironment) }, null)
            ?? throw Unreachable("the TransformsCatalog constructor");
        return (TransformsCatalog)constructor.Invoke(new object[] { environment });
    }

    /// <summary>ML.NET's catalogs expose their environment through the internal interface <c>IInternalCatalog</c>.</summary>
    private static object? InternalCatalogEnvironment(object catalog)
    {
        var contract = catalog.GetType().GetInterfaces().FirstOrDefault(i => i.FullName == "Microsoft.ML.Data.IInternalCatalog");
        return contract?.GetProperty("Environment")?.GetValue(catalog);
    }

    private static object? Property(object owner, string name)
    {
        for (var type = owner.GetType(); type is not null; type = type.BaseType)
            if (type.GetProperty(name, Members | BindingFlags.DeclaredOnly) is { } property && property.GetIndexParameters().Length == 0)
                return property.GetValue(owner);
        return null;
    }

    private static InvalidOperationException Unreachable(string what) => new(
        $"FreeEnergyML could not reach {what} in Microsoft.ML {typeof(MLContext).Assembly.GetName().Version}: this layer is built for ML.NET 6.0. "
        + "Use the Microsoft.ML version that Microsoft.ML.FreeEnergy references.");
}

using System.Reflection;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// The MLContext behind an ML.NET catalog. ML.NET keeps a catalog's environment internal; the anomaly-detection trainer
/// needs the context's <c>Transforms</c> catalog to compose its pipeline (so the transforms share the context's
/// settings and log). Found by reflection on ML.NET 5.0's internal members; null when that fails.
/// </summary>
internal static class MLContextOf
{
    private const BindingFlags Members = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    public static MLContext? Find(object catalog)
    {
        try
        {
            object? owner = catalog.GetType().GetProperty("Owner", Members)?.GetValue(catalog) ?? catalog;
            for (var type = owner.GetType(); type is not null; type = type.BaseType)
            {
                if (type.GetProperty("Environment", Members | BindingFlags.DeclaredOnly)?.GetValue(owner) is MLContext fromProperty) return fromProperty;
                if (type.GetField("_env", Members | BindingFlags.DeclaredOnly)?.GetValue(owner) is MLContext fromField) return fromField;
            }
        }
        catch (Exception e) when (e is TargetInvocationException or MemberAccessException or ArgumentException)
        {
        }
        return null;
    }
}

namespace FreeEnergy.Persistence;

/// <summary>The keys of a model file's <c>__metadata__</c> map.</summary>
internal static class ModelMetadataKeys
{
    public const string Section = "__metadata__";
    public const string Format = "format";
    public const string FormatValue = "freeenergy";
    public const string FormatVersion = "format_version";
    public const string Kind = "kind";
    public const string LibraryVersion = "library_version";
    public const string ContentHash = "content_hash";

    /// <summary>Hyperparameter <c>x</c> is stored under <c>hp.x</c>.</summary>
    public const string HyperparameterPrefix = "hp.";
}

namespace FreeEnergy.Persistence;

/// <summary>
/// Everything a model file holds: the model kind, its hyperparameters (strings) and its tensors.
/// Models convert to and from this; <see cref="ModelFile"/> reads and writes it.
/// </summary>
public sealed class ModelDocument
{
    /// <summary>Creates a document.</summary>
    public ModelDocument(string kind, IReadOnlyDictionary<string, string> hyperparameters, IReadOnlyList<NamedTensor> tensors)
    {
        Kind = kind ?? throw new ArgumentNullException(nameof(kind));
        Hyperparameters = hyperparameters ?? throw new ArgumentNullException(nameof(hyperparameters));
        Tensors = tensors ?? throw new ArgumentNullException(nameof(tensors));
    }

    /// <summary>The model kind (see <see cref="Models.ModelKinds"/>).</summary>
    public string Kind { get; }

    /// <summary>Hyperparameters as invariant-culture strings.</summary>
    public IReadOnlyDictionary<string, string> Hyperparameters { get; }

    /// <summary>The tensors, in file order.</summary>
    public IReadOnlyList<NamedTensor> Tensors { get; }

    /// <summary>The library version that wrote the file (set on load; the current version for new documents).</summary>
    public string LibraryVersion { get; init; } = LibraryInfo.Version;

    /// <summary>The tensor called <paramref name="name"/>, checked to have <paramref name="expectedShape"/>; a clear <see cref="ModelFileException"/> otherwise.</summary>
    public float[] Tensor(string name, params int[] expectedShape)
    {
        foreach (var t in Tensors)
        {
            if (t.Name != name) continue;
            if (!t.Shape.AsSpan().SequenceEqual(expectedShape))
                throw new ModelFileException($"tensor '{name}' has shape [{string.Join(",", t.Shape)}], expected [{string.Join(",", expectedShape)}].");
            return t.Data;
        }
        throw new ModelFileException($"tensor '{name}' is missing from the {Kind} model.");
    }

    /// <summary>The hyperparameter <paramref name="name"/>; a clear <see cref="ModelFileException"/> when missing.</summary>
    public string Hyperparameter(string name)
        => Hyperparameters.TryGetValue(name, out var v) ? v : throw new ModelFileException($"hyperparameter '{name}' is missing from the {Kind} model.");
}

using FreeEnergy.Tensors;

namespace FreeEnergy.Data.Preprocessing;

/// <summary>Deterministic binarisation: x' = 1 when x &gt; <see cref="Threshold"/>, otherwise 0.</summary>
public sealed class ThresholdBinarizer : MatrixTransform
{
    /// <summary>The model annotation (hyperparameter) that records how a model's training data were binarised.</summary>
    public const string ModelAnnotation = "input_binarization";

    /// <summary>The value of <see cref="ModelAnnotation"/> for this binariser at its default threshold (x &gt; 0.5 becomes 1).</summary>
    public const string DefaultRule = "threshold-0.5";

    /// <summary>The threshold. Default: 0.5 (for data scaled to [0, 1]).</summary>
    public float Threshold { get; init; } = 0.5f;

    /// <summary>
    /// Whether a model's annotations record that it reads binarised rows (<see cref="ModelAnnotation"/> =
    /// <see cref="DefaultRule"/>); a <see cref="ModelFileException"/> for a rule this version does not know.
    /// </summary>
    public static bool IsRecordedIn(IReadOnlyDictionary<string, string> annotations)
    {
        ArgumentNullException.ThrowIfNull(annotations);
        return IsKnownRule(annotations.TryGetValue(ModelAnnotation, out var rule) ? rule : null);
    }

    /// <inheritdoc cref="IsRecordedIn(IReadOnlyDictionary{string, string})"/>
    public static bool IsRecordedIn(IDictionary<string, string> annotations)
    {
        ArgumentNullException.ThrowIfNull(annotations);
        return IsKnownRule(annotations.TryGetValue(ModelAnnotation, out var rule) ? rule : null);
    }

    private static bool IsKnownRule(string? rule) => rule is null ? false : rule == DefaultRule ? true
        : throw new ModelFileException($"the model asks for input binarisation '{rule}', which this version does not know.");


    /// <summary>Binarises <paramref name="data"/> in place.</summary>
    public override void TransformInPlace(Matrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var values = data.AsSpan();
        float t = Threshold;
        for (int i = 0; i < values.Length; i++) values[i] = values[i] > t ? 1f : 0f;
    }
}

using System.Globalization;
using FreeEnergy.Persistence;

namespace FreeEnergy.Onnx.Graphs;

/// <summary>Checked reads of a <see cref="ModelDocument"/> for the exporters: tensor shapes and invariant numbers.</summary>
internal static class DocumentReading
{
    /// <summary>The shape of tensor <paramref name="name"/>, or null when the document lacks it.</summary>
    public static int[]? ShapeOf(ModelDocument document, string name)
    {
        foreach (var t in document.Tensors)
            if (t.Name == name) return t.Shape;
        return null;
    }

    /// <summary>The 2-D shape of tensor <paramref name="name"/>; a clear error when missing or of another rank.</summary>
    public static (int Rows, int Columns) Matrix(ModelDocument document, string name)
    {
        var shape = ShapeOf(document, name) ?? throw new ModelFileException($"tensor '{name}' is missing from the {document.Kind} model.");
        if (shape.Length != 2 || shape[0] <= 0 || shape[1] <= 0)
            throw new ModelFileException($"tensor '{name}' has shape [{string.Join(",", shape)}], expected a non-empty matrix.");
        return (shape[0], shape[1]);
    }

    /// <summary>Hyperparameter <paramref name="name"/> as a finite number; <paramref name="fallback"/> when absent (null = required).</summary>
    public static double Number(ModelDocument document, string name, double? fallback = null)
    {
        if (!document.Hyperparameters.TryGetValue(name, out var text))
            return fallback ?? throw new ModelFileException($"hyperparameter '{name}' is missing from the {document.Kind} model.");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw new ModelFileException($"hyperparameter '{name}' of the {document.Kind} model is '{text}', expected a finite number.");
        return value;
    }

    /// <summary>Hyperparameter <paramref name="name"/> as a number when present and parsable as one; null otherwise.</summary>
    public static double? OptionalNumber(ModelDocument document, string name)
        => document.Hyperparameters.ContainsKey(name) ? Number(document, name) : null;

    /// <summary>Checks that an integer hyperparameter, when present, equals the size the tensors imply.</summary>
    public static void CheckSize(ModelDocument document, string name, int actual)
    {
        if (!document.Hyperparameters.TryGetValue(name, out var text)) return;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int declared) || declared != actual)
            throw new ModelFileException($"hyperparameter '{name}' of the {document.Kind} model is '{text}' but its tensors have size {actual}.");
    }

    /// <summary>Checks that a list-of-sizes hyperparameter (e.g. "512,256"), when present, matches the tensors.</summary>
    public static void CheckSizes(ModelDocument document, string name, IReadOnlyList<int> actual)
    {
        if (!document.Hyperparameters.TryGetValue(name, out var text)) return;
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        bool same = parts.Length == actual.Count;
        for (int i = 0; same && i < parts.Length; i++)
            same = int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v == actual[i];
        if (!same)
            throw new ModelFileException($"hyperparameter '{name}' of the {document.Kind} model is '{text}' but its tensors have layers [{string.Join(",", actual)}].");
    }

    /// <summary>A required hyperparameter that must be one of <paramref name="allowed"/> (compared case-insensitively).</summary>
    public static string Choice(ModelDocument document, string name, params string[] allowed)
    {
        var text = document.Hyperparameter(name).Trim().ToLowerInvariant();
        if (Array.IndexOf(allowed, text) < 0)
            throw new ModelFileException($"hyperparameter '{name}' of the {document.Kind} model is '{text}', expected one of {string.Join(", ", allowed)}.");
        return text;
    }

    /// <summary>Hyperparameter <paramref name="name"/> as a positive number; <paramref name="fallback"/> when absent.</summary>
    public static double PositiveNumber(ModelDocument document, string name, double fallback)
    {
        double value = Number(document, name, fallback);
        if (!(value > 0)) throw new ModelFileException($"hyperparameter '{name}' of the {document.Kind} model is {value}; it must be positive.");
        return value;
    }

    /// <summary>The output widths of the dense chain "{prefix}.0.weight", "{prefix}.1.weight", ... (empty when there is none).</summary>
    public static List<int> LayerWidths(ModelDocument document, string prefix)
    {
        var widths = new List<int>();
        for (int i = 0; ; i++)
        {
            string name = prefix + "." + i.ToString(CultureInfo.InvariantCulture) + ".weight";
            if (ShapeOf(document, name) is null) return widths;
            widths.Add(Matrix(document, name).Columns);
        }
    }

    /// <summary>A VAE's hidden-layer activation: the required hyperparameter "activation", relu, tanh or softplus.</summary>
    public static string VaeActivation(ModelDocument document) => Choice(document, "activation", "relu", "tanh", "softplus");

    /// <summary>Whether a VAE's likelihood (the required hyperparameter "likelihood", bernoulli or gaussian) is Gaussian.</summary>
    public static bool VaeGaussianLikelihood(ModelDocument document) => Choice(document, "likelihood", "bernoulli", "gaussian") == "gaussian";
}

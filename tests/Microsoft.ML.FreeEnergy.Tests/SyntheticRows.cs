using FreeEnergy.Tensors;
using Microsoft.ML.Data;

namespace Microsoft.ML.FreeEnergy.Tests;

/// <summary>A row with a fixed-size feature vector (as ML.NET reads it) and a Single label (1 = anomaly).</summary>
public sealed class FeatureRow
{
    public const int Width = 12;

    [VectorType(Width)]
    public float[] Features { get; set; } = new float[Width];

    public float Label { get; set; }
}

/// <summary>What the anomaly detector writes for one row, as a PredictionEngine reads it.</summary>
internal sealed class DetectedRow
{
    public float Score { get; set; }

    public bool PredictedLabel { get; set; }
}

/// <summary>Small generated data sets: binary rows near two prototypes (normal) and uniform random bits (anomalies).</summary>
internal static class SyntheticRows
{
    public static FeatureRow[] Binary(int normal, int anomalies, int seed)
    {
        var random = new Random(seed);
        var prototypes = new[] { new float[FeatureRow.Width], new float[FeatureRow.Width] };
        for (int j = 0; j < FeatureRow.Width; j++)
        {
            prototypes[0][j] = j < FeatureRow.Width / 2 ? 1 : 0;
            prototypes[1][j] = j % 2;
        }
        var rows = new FeatureRow[normal + anomalies];
        for (int i = 0; i < rows.Length; i++)
        {
            var features = new float[FeatureRow.Width];
            bool anomaly = i >= normal;
            var prototype = prototypes[i % 2];
            for (int j = 0; j < FeatureRow.Width; j++)
                features[j] = anomaly ? random.Next(2) : (random.NextDouble() < 0.05 ? 1 - prototype[j] : prototype[j]);
            rows[i] = new FeatureRow { Features = features, Label = anomaly ? 1 : 0 };
        }
        return rows;
    }

    /// <summary>Real-valued rows (for the Gaussian RBM): the binary rows shifted and scaled, plus noise.</summary>
    public static FeatureRow[] Real(int count, int seed)
    {
        var random = new Random(seed);
        var rows = Binary(count, 0, seed);
        foreach (var row in rows)
            for (int j = 0; j < FeatureRow.Width; j++)
                row.Features[j] = 2 * row.Features[j] - 1 + 0.3f * (float)(random.NextDouble() - 0.5);
        return rows;
    }

    public static Matrix ToMatrix(IEnumerable<FeatureRow> rows) => Matrix.FromRows(rows.Select(r => r.Features).ToList());
}

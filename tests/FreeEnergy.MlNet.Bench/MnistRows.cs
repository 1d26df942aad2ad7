using FreeEnergy.Data;
using Microsoft.ML.Data;

namespace FreeEnergy.MlNet.Bench;

/// <summary>One MNIST image as ML.NET reads it: 784 pixels in [0, 1] and Label 1 for an anomaly (not the normal digit).</summary>
public sealed class MnistRow
{
    public const int Pixels = 28 * 28;

    [VectorType(Pixels)]
    public float[] Features { get; set; } = new float[Pixels];

    /// <summary>1 = anomaly (AnomalyDetection.Evaluate reads a Single label).</summary>
    public float Label { get; set; }

    public static List<MnistRow> From(DataSet data, int normalDigit, bool onlyNormal)
    {
        var labels = data.Labels ?? throw new InvalidDataException($"{data.Source} has no labels.");
        var rows = new List<MnistRow>();
        for (int i = 0; i < data.Features.Rows; i++)
            if (!onlyNormal || labels[i] == normalDigit)
                rows.Add(new MnistRow { Features = data.Features.Row(i).ToArray(), Label = labels[i] != normalDigit ? 1 : 0 });
        return rows;
    }
}

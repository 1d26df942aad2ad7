using FreeEnergy.Tensors;

namespace FreeEnergy.Data.Preprocessing;

/// <summary>
/// Per-column standardisation x' = (x - mean) / std, fitted on training data (population standard deviation,
/// accumulated in double) and applied unchanged to other data -- the input a Gaussian RBM expects.
/// </summary>
/// <remarks>
/// A constant column (std below <see cref="ConstantThreshold"/> times max(1, |mean|)) is centred but not
/// scaled (its std is taken as 1), so it becomes 0 on the training data rather than NaN; such columns are
/// listed in <see cref="ConstantColumns"/>.
/// </remarks>
public sealed class Standardizer : MatrixTransform
{
    /// <summary>The relative standard deviation below which a column counts as constant.</summary>
    public const double ConstantThreshold = 1e-6;

    private Standardizer(float[] mean, float[] std, int[] constant)
    {
        Mean = mean;
        StandardDeviation = std;
        ConstantColumns = constant;
    }

    /// <summary>Per-column means.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>Per-column divisors (the standard deviation, or 1 for constant columns).</summary>
    public IReadOnlyList<float> StandardDeviation { get; }

    /// <summary>0-based indices of the columns found constant when fitting.</summary>
    public IReadOnlyList<int> ConstantColumns { get; }

    /// <summary>Fits per-column mean and standard deviation of <paramref name="data"/> (at least one row).</summary>
    public static Standardizer Fit(Matrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Rows == 0) throw new DataFormatException("cannot fit standardisation on data with no rows.");
        int columns = data.Columns;
        var sum = new double[columns];
        for (int r = 0; r < data.Rows; r++)
        {
            var row = data.Row(r);
            for (int c = 0; c < columns; c++) sum[c] += row[c];
        }
        var mean = new double[columns];
        for (int c = 0; c < columns; c++) mean[c] = sum[c] / data.Rows;
        var squares = new double[columns];
        for (int r = 0; r < data.Rows; r++)
        {
            var row = data.Row(r);
            for (int c = 0; c < columns; c++)
            {
                double d = row[c] - mean[c];
                squares[c] += d * d;
            }
        }
        var meanF = new float[columns];
        var std = new float[columns];
        var constant = new List<int>();
        for (int c = 0; c < columns; c++)
        {
            meanF[c] = (float)mean[c];
            double s = Math.Sqrt(squares[c] / data.Rows);
            if (s < ConstantThreshold * Math.Max(1.0, Math.Abs(mean[c])))
            {
                std[c] = 1f;
                constant.Add(c);
            }
            else std[c] = (float)s;
        }
        return new Standardizer(meanF, std, constant.ToArray());
    }


    /// <summary>Standardises <paramref name="data"/> in place.</summary>
    public override void TransformInPlace(Matrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Columns != Mean.Count)
            throw new DataFormatException($"the data has {data.Columns} columns but the standardisation was fitted on {Mean.Count}.");
        for (int r = 0; r < data.Rows; r++)
        {
            var row = data.Row(r);
            for (int c = 0; c < row.Length; c++) row[c] = (row[c] - Mean[c]) / StandardDeviation[c];
        }
    }
}

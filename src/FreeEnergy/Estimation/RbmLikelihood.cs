using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Estimation;

/// <summary>Normalised RBM scores: -log p(v) = F(v) + log Z (nats).</summary>
public static class RbmLikelihood
{
    /// <summary>-log p(v) of each row given an estimate of log Z.</summary>
    public static double[] NegativeLogLikelihood(RbmBase model, MatrixView data, double logPartition)
    {
        ArgumentNullException.ThrowIfNull(model);
        var f = new double[data.Rows];
        model.FreeEnergy(data, f);
        for (int i = 0; i < f.Length; i++) f[i] += logPartition;
        return f;
    }

    /// <summary>The mean log-likelihood (nats per row) of <paramref name="data"/> and its standard error over rows.</summary>
    public static (double Mean, double StandardError) MeanLogLikelihood(RbmBase model, MatrixView data, double logPartition)
    {
        var nll = NegativeLogLikelihood(model, data, logPartition);
        if (nll.Length == 0) return (double.NaN, double.NaN);
        double sum = 0, sumSq = 0;
        foreach (var x in nll) { sum += -x; sumSq += x * x; }
        double mean = sum / nll.Length;
        double variance = nll.Length > 1 ? Math.Max(0, (sumSq - nll.Length * mean * mean) / (nll.Length - 1)) : 0;
        return (mean, Math.Sqrt(variance / nll.Length));
    }
}

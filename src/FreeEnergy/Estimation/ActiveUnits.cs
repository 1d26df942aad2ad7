using FreeEnergy.Tensors;

namespace FreeEnergy.Estimation;

/// <summary>
/// The active units of a latent layer (Burda, Grosse and Salakhutdinov 2016, section 5.2): unit u is active when
/// A_u = Cov_x(E_q[u|x]) exceeds a threshold (theirs: 10^-2), i.e. when its posterior mean moves with the data; an
/// inactive unit's posterior equals its prior for every row (posterior collapse), so the model does not use it.
/// </summary>
/// <example>
/// <code>
/// int used = ActiveUnits.Count(vae.Encode(test.View));              // z (one level) or z1 (two levels)
/// int top = ActiveUnits.Count(twoLevel.EncodeUpper(test.View));    // z2
/// </code>
/// </example>
public static class ActiveUnits
{
    /// <summary>Burda et al.'s threshold on the variance of a unit's posterior mean across rows.</summary>
    public const double DefaultThreshold = 1e-2;

    /// <summary>The number of columns of <paramref name="posteriorMeans"/> [N, Z] (E_q[z|x] per row) whose variance across rows exceeds <paramref name="threshold"/>.</summary>
    public static int Count(Matrix posteriorMeans, double threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(posteriorMeans);
        if (posteriorMeans.Rows < 2) throw new ArgumentException("Counting active units needs at least two rows.", nameof(posteriorMeans));
        if (!(threshold >= 0) || !double.IsFinite(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), "The threshold must be finite and non-negative.");
        int n = posteriorMeans.Rows, z = posteriorMeans.Columns, active = 0;
        var data = posteriorMeans.Data;
        for (int j = 0; j < z; j++)
        {
            double mean = 0, squares = 0;
            for (int r = 0; r < n; r++) mean += data[r * z + j];
            mean /= n;
            for (int r = 0; r < n; r++)
            {
                double d = data[r * z + j] - mean;
                squares += d * d;
            }
            if (squares / (n - 1) > threshold) active++;
        }
        return active;
    }
}

using FreeEnergy.Compute;

namespace FreeEnergy.Estimation;

/// <summary>Settings of annealed importance sampling (Salakhutdinov and Murray 2008).</summary>
public sealed class AisOptions
{
    /// <summary>Independent annealing runs (run in parallel as one batch). Default: 100.</summary>
    public int Runs { get; set; } = 100;

    /// <summary>
    /// The inverse temperatures beta_0 = 0 &lt; ... &lt; beta_K = 1; null (default) uses
    /// <see cref="DefaultSchedule"/>: 500 betas in [0, 0.5), 4000 in [0.5, 0.9), 10000 in [0.9, 1] (14,500 in all).
    /// </summary>
    public double[]? Betas { get; set; }

    /// <summary>Random seed; results do not depend on the thread count. Default: 1.</summary>
    public ulong Seed { get; set; } = 1;

    /// <summary>The compute backend; null (default) uses the model's backend.</summary>
    public IComputeBackend? Backend { get; set; }

    /// <summary>
    /// Receives the fraction of annealing steps done, in (0, 1], about a hundred times per estimate and 1 at the end,
    /// on the calling thread (for a progress display; reports do not change the result). Null (default): no reports.
    /// </summary>
    public IProgress<double>? Progress { get; set; }

    /// <summary>Reports step <paramref name="k"/> of <paramref name="steps"/> to <paramref name="progress"/> at every hundredth of the way and at the end.</summary>
    internal static void ReportStep(IProgress<double>? progress, int k, int steps)
    {
        if (progress is not null && (k == steps || k % Math.Max(1, steps / 100) == 0)) progress.Report((double)k / steps);
    }

    /// <summary>Tests: run the Bernoulli estimator's device-resident path on this seam (e.g. the host implementation).</summary>
    internal Compute.Device.IDeviceArrays? DeviceArrays { get; set; }

    /// <summary>
    /// The schedule of the paper: <paramref name="first"/> evenly spaced betas in [0, 0.5), <paramref name="second"/> in
    /// [0.5, 0.9) and <paramref name="third"/> in [0.9, 1], ending at exactly 1 (defaults 500, 4000, 10000).
    /// </summary>
    public static double[] DefaultSchedule(int first = 500, int second = 4000, int third = 10000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(first, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(second);
        ArgumentOutOfRangeException.ThrowIfLessThan(third, 1);
        var betas = new double[first + second + third + 1];
        int k = 0;
        for (int i = 0; i < first; i++) betas[k++] = 0.5 * i / first;
        for (int i = 0; i < second; i++) betas[k++] = 0.5 + 0.4 * i / second;
        for (int i = 0; i < third; i++) betas[k++] = 0.9 + 0.1 * i / third;
        betas[k] = 1.0;
        return betas;
    }

    internal double[] ResolveBetas()
    {
        var b = Betas ?? DefaultSchedule();
        if (b.Length < 2 || b[0] != 0.0 || b[^1] != 1.0) throw new ArgumentException("AIS betas must start at 0 and end at 1.", nameof(Betas));
        for (int i = 1; i < b.Length; i++)
            if (!(b[i] >= b[i - 1])) throw new ArgumentException("AIS betas must be non-decreasing.", nameof(Betas));
        if (Runs < 2) throw new ArgumentOutOfRangeException(nameof(Runs), "AIS needs at least 2 runs.");
        return b;
    }
}

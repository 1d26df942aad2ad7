namespace FreeEnergy.Models;

/// <summary>
/// Self-normalised importance weights of one row's k draws (Burda, Grosse and Salakhutdinov 2016): from the log weights
/// log w_s, the normalised weights w~_s = w_s / sum_s' w_s' and the importance-weighted bound -log (1/k) sum_s w_s, both in
/// double precision around the largest log weight (so no exp overflows).
/// </summary>
internal static class ImportanceWeights
{
    /// <summary>Writes w~_s to <paramref name="normalised"/> and returns -log (1/k) sum_s w_s for the k = <paramref name="logWeights"/>.Length draws.</summary>
    public static double Normalise(ReadOnlySpan<double> logWeights, Span<double> normalised)
    {
        double max = double.NegativeInfinity;
        foreach (var lw in logWeights) max = Math.Max(max, lw);
        double sum = 0;
        foreach (var lw in logWeights) sum += Math.Exp(lw - max);
        for (int s = 0; s < logWeights.Length; s++) normalised[s] = Math.Exp(logWeights[s] - max) / sum;
        return -(max + Math.Log(sum / logWeights.Length));
    }
}

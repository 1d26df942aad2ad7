namespace FreeEnergy.Onnx.Tests.Harness;

/// <summary>
/// The agreement rule of DESIGN §4 ("1e-5 relative"), in a form that also works near zero:
/// |actual - expected| &lt;= 1e-5 * max(1, |expected|), i.e. relative for |expected| &gt;= 1 and absolute 1e-5 below.
/// </summary>
internal static class Tolerance
{
    public const double Relative = 1e-5;

    /// <summary>The worst error in units of the tolerance (&lt;= 1 passes).</summary>
    public static double WorstRatio(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, out int worstIndex)
    {
        double worst = 0;
        worstIndex = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            double ratio = double.IsFinite(a) ? Math.Abs(a - e) / (Relative * Math.Max(1, Math.Abs(e))) : double.PositiveInfinity;
            if (ratio > worst || worstIndex < 0) { worst = ratio; worstIndex = i; }
        }
        return worst;
    }

    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double ratio = WorstRatio(expected, actual, out int i);
        Assert.True(ratio <= 1, $"{what}: element {i} is {actual[i]:R}, reference {expected[i]:R} (|diff| = {Math.Abs(actual[i] - expected[i]):E3}, {ratio:F2}x the tolerance 1e-5*max(1,|ref|)).");
    }
}

using FreeEnergy.Compute.Cpu;
using FreeEnergy.Estimation;

namespace FreeEnergy.Tests.Tap;

/// <summary>Oracle 2: the analytic parameter gradient equals the finite-difference derivative of -beta G at fixed magnetisations.</summary>
public sealed class TapGradientTests
{
    private static readonly CpuBackend Backend = new(1);

    [Theory]
    [InlineData(2, 201)]
    [InlineData(3, 202)]
    [InlineData(3, 203)]
    public void GradientMatchesFiniteDifferencesAtFixedMagnetizations(int order, int seed)
    {
        const int visible = 12, hidden = 9, rows = 5;
        var model = TapModel.Random(visible, hidden, weightScale: 0.7, biasScale: 1.0, seed);
        var mv = TapModel.RandomMagnetizations(rows * visible, 0.02, 0.98, seed + 1);
        var mh = TapModel.RandomMagnetizations(rows * hidden, 0.02, 0.98, seed + 2);

        var dw = new float[visible * hidden];
        var da = new float[visible];
        var db = new float[hidden];
        dw.AsSpan().Fill(float.NaN); // written, not accumulated
        da.AsSpan().Fill(float.NaN);
        db.AsSpan().Fill(float.NaN);
        TapExpansion.Gradient(model.Rbm, new(mv, mh, rows), order, dw, da, db, Backend);

        var random = new Random(seed);
        for (int trial = 0; trial < 30; trial++)
        {
            int k = random.Next(dw.Length);
            double expected = CentralDifference(model, model.Weights, k, mv, mh, rows, order);
            Assert.True(Math.Abs(expected - dw[k]) <= 1e-5 + 1e-5 * Math.Abs(expected), $"dW[{k / hidden},{k % hidden}]: analytic {dw[k]}, finite difference {expected}");
        }
        for (int i = 0; i < visible; i++)
        {
            double expected = CentralDifference(model, model.VisibleBias, i, mv, mh, rows, order);
            Assert.True(Math.Abs(expected - da[i]) <= 1e-5, $"da[{i}]: analytic {da[i]}, finite difference {expected}");
        }
        for (int j = 0; j < hidden; j++)
        {
            double expected = CentralDifference(model, model.HiddenBias, j, mv, mh, rows, order);
            Assert.True(Math.Abs(expected - db[j]) <= 1e-5, $"db[{j}]: analytic {db[j]}, finite difference {expected}");
        }
    }

    [Fact]
    public void ThirdOrderTermChangesTheWeightGradient()
    {
        // Guards the oracle above: the two orders must give clearly different weight gradients here.
        const int visible = 12, hidden = 9, rows = 5;
        var model = TapModel.Random(visible, hidden, 0.7, 1.0, 204);
        var mv = TapModel.RandomMagnetizations(rows * visible, 0.02, 0.98, 205);
        var mh = TapModel.RandomMagnetizations(rows * hidden, 0.02, 0.98, 206);
        var dw2 = new float[visible * hidden];
        var dw3 = new float[visible * hidden];
        var da = new float[visible];
        var db = new float[hidden];
        TapExpansion.Gradient(model.Rbm, new(mv, mh, rows), 2, dw2, da, db, Backend);
        TapExpansion.Gradient(model.Rbm, new(mv, mh, rows), 3, dw3, da, db, Backend);
        double largest = 0;
        for (int k = 0; k < dw2.Length; k++) largest = Math.Max(largest, Math.Abs(dw3[k] - dw2[k]));
        Assert.True(largest > 1e-3, $"largest difference {largest}");
    }

    /// <summary>d/d(theta_k) of the mean over rows of -G, central differences in double with the step actually taken in float.</summary>
    private static double CentralDifference(TapModel model, float[] parameter, int k, float[] mv, float[] mh, int rows, int order)
    {
        float original = parameter[k];
        const double step = 1e-2;
        float up = (float)(original + step), down = (float)(original - step);
        parameter[k] = up;
        double gUp = MeanNegativeGibbs(model, mv, mh, rows, order);
        parameter[k] = down;
        double gDown = MeanNegativeGibbs(model, mv, mh, rows, order);
        parameter[k] = original;
        return (gUp - gDown) / ((double)up - down);
    }

    private static double MeanNegativeGibbs(TapModel model, float[] mv, float[] mh, int rows, int order)
    {
        var g = new double[rows];
        TapExpansion.NegativeBetaGibbs(model.Rbm, new(mv, mh, rows), order, g);
        return g.Average();
    }
}

using FreeEnergy.Compute.Cpu;
using FreeEnergy.Estimation;
using Xunit.Abstractions;

namespace FreeEnergy.Tests.Tap;

/// <summary>Oracle 1: at a fixed point of the iteration, -beta G is stationary in the magnetisations.</summary>
public sealed class TapFixedPointTests(ITestOutputHelper output)
{
    private const int Visible = 10, Hidden = 8, Rows = 3;
    private static readonly CpuBackend Backend = new(1);

    [Theory]
    [InlineData(2, 101)]
    [InlineData(3, 102)]
    [InlineData(2, 103)]
    [InlineData(3, 104)]
    public void FiniteDifferenceGradientInMagnetizationsVanishesAtFixedPoint(int order, int seed)
    {
        var model = TapModel.Random(Visible, Hidden, weightScale: 0.4, biasScale: 0.7, seed);
        var mv = TapModel.RandomMagnetizations(Rows * Visible, 0.05, 0.95, seed + 1);
        var mh = TapModel.RandomMagnetizations(Rows * Hidden, 0.05, 0.95, seed + 2);

        double before = MaxStationarityError(model, mv, mh, order);
        var settings = new TapSettings { Order = order, Iterations = 400, Damping = 0.5f };
        TapExpansion.Iterate(model.Rbm, new(mv, mh, Rows), settings, Backend);
        double after = MaxStationarityError(model, mv, mh, order);
        int otherOrder = 5 - order;
        double otherOrderError = MaxStationarityError(model, mv, mh, otherOrder);

        var residual = new float[Rows];
        TapExpansion.FixedPointResidual(model.Rbm, new(mv, mh, Rows), order, residual, Backend);
        output.WriteLine($"order {order}: max |d(-G)/dm| before {before:E2}, at fixed point {after:E2}; " +
            $"same point under order {otherOrder}: {otherOrderError:E2}; residual {residual.Max():E2}");

        Assert.True(before > 1e-2, $"The random start should not be stationary (max gradient {before}).");
        Assert.True(after < 2e-5, $"-G is not stationary at the order-{order} fixed point: max |d(-G)/dm| = {after}.");
        // The orders differ by the third-order term, so each fixed point is visibly not stationary for the other:
        // the oracle is sensitive to the third-order update.
        Assert.True(otherOrderError > 50 * after + 1e-4, $"The order-{otherOrder} gradient at the order-{order} fixed point ({otherOrderError}) should not vanish.");
        Assert.True(residual.Max() < 1e-5f, $"Fixed-point residual {residual.Max()}.");
    }

    [Fact]
    public void FixedPointResidualIsLargeAwayFromTheFixedPoint()
    {
        var model = TapModel.Random(Visible, Hidden, 0.4, 0.7, seed: 7);
        var mv = TapModel.RandomMagnetizations(Rows * Visible, 0.05, 0.95, 8);
        var mh = TapModel.RandomMagnetizations(Rows * Hidden, 0.05, 0.95, 9);
        var residual = new float[Rows];
        TapExpansion.FixedPointResidual(model.Rbm, new(mv, mh, Rows), 2, residual, Backend);
        Assert.All(residual, r => Assert.True(r > 1e-2f, $"residual {r}"));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void NegativeBetaGibbsMatchesTheDefinition(int order)
    {
        var model = TapModel.Random(9, 13, 0.8, 1.0, seed: 31 + order);
        const int rows = 4;
        var mv = TapModel.RandomMagnetizations(rows * 9, 0.01, 0.99, 1);
        var mh = TapModel.RandomMagnetizations(rows * 13, 0.01, 0.99, 2);
        var result = new double[rows];
        TapExpansion.NegativeBetaGibbs(model.Rbm, new(mv, mh, rows), order, result);
        for (int r = 0; r < rows; r++)
        {
            double expected = model.NegativeGibbsReference(mv.AsSpan(r * 9, 9), mh.AsSpan(r * 13, 13), order);
            Assert.Equal(expected, result[r], 1e-10);
        }
    }

    /// <summary>Largest |d(-G)/dm| over all units of all rows, by double-precision central differences.</summary>
    private static double MaxStationarityError(TapModel model, float[] mv, float[] mh, int order)
    {
        double largest = 0;
        for (int r = 0; r < Rows; r++)
        {
            var v = mv.AsSpan(r * Visible, Visible).ToArray();
            var h = mh.AsSpan(r * Hidden, Hidden).ToArray();
            for (int i = 0; i < Visible; i++) largest = Math.Max(largest, Math.Abs(Derivative(model, v, h, v, i, order)));
            for (int j = 0; j < Hidden; j++) largest = Math.Max(largest, Math.Abs(Derivative(model, v, h, h, j, order)));
        }
        return largest;
    }

    private static double Derivative(TapModel model, float[] v, float[] h, float[] perturbed, int index, int order)
    {
        float original = perturbed[index];
        const double step = 1e-4;
        float up = (float)(original + step), down = (float)(original - step);
        perturbed[index] = up;
        double gUp = Evaluate(model, v, h, order);
        perturbed[index] = down;
        double gDown = Evaluate(model, v, h, order);
        perturbed[index] = original;
        return (gUp - gDown) / ((double)up - down);
    }

    private static double Evaluate(TapModel model, float[] v, float[] h, int order)
    {
        Span<double> g = stackalloc double[1];
        TapExpansion.NegativeBetaGibbs(model.Rbm, new(v, h, 1), order, g);
        return g[0];
    }
}

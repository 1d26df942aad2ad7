using FreeEnergy.Compute.Cpu;
using FreeEnergy.Estimation;
using Xunit.Abstractions;

namespace FreeEnergy.Tests.Tap;

/// <summary>Oracle 3: the TAP estimate of ln Z against exact enumeration.</summary>
public sealed class TapLogPartitionTests(ITestOutputHelper output)
{
    private const int Visible = 10, Hidden = 8;
    private static readonly CpuBackend Backend = new(1);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ZeroWeightsGiveTheExactLogPartition(int order)
    {
        var model = TapModel.Random(Visible, Hidden, 0.0, 2.0, seed: 5);
        double exact = 0;
        foreach (float a in model.VisibleBias) exact += Activations.Softplus((double)a);
        foreach (float b in model.HiddenBias) exact += Activations.Softplus((double)b);
        double tap = TapExpansion.LogPartition(model.Rbm, new TapSettings { Order = order }, Backend);
        Assert.Equal(exact, tap, 1e-6);
        Assert.Equal(exact, model.ExactLogPartition(), 1e-9); // the enumeration agrees
    }

    [Theory]
    [InlineData(2, 301)]
    [InlineData(3, 302)]
    [InlineData(2, 303)]
    [InlineData(3, 304)]
    public void WeakCouplingIsCloseToExact(int order, int seed)
    {
        var model = TapModel.Random(Visible, Hidden, weightScale: 0.1, biasScale: 1.0, seed); // W ~ N(0, 0.01)
        double exact = model.ExactLogPartition();
        double tap = TapExpansion.LogPartition(model.Rbm, new TapSettings { Order = order }, Backend);
        output.WriteLine($"order {order}: exact {exact:F8}, TAP {tap:F8}, error {tap - exact:E3}");
        Assert.True(Math.Abs(tap - exact) < 1e-3, $"TAP {tap}, exact {exact}");
    }

    [Fact]
    public void ErrorGrowsWithCouplingAsTheNextOrderOfTheExpansion()
    {
        // Seen (D = 10, H = 8, biases ~ N(0, 1), W = s * N(0, 1), 4 models): mean |error| order 2 ~ 4e-6 at s = 0.05,
        // 4e-5 at 0.1, 3e-4 at 0.2, 3e-3 at 0.4, 1.5e-2 at 0.8; order 3 ~ 6e-7, 1e-5, 1.6e-4, 1.8e-3, 2e-2 (no better
        // than order 2 from s ~ 0.8 on). Halving a weak coupling divides the order-2 error by ~2^3 and the order-3 error
        // by ~2^4: each is the first neglected term of the expansion, which pins the 2/3 W^3 coefficient.
        var scales = new[] { 0.05f, 0.1f, 0.2f, 0.4f, 0.8f };
        const int models = 4;
        var error2 = new double[scales.Length];
        var error3 = new double[scales.Length];
        for (int seed = 0; seed < models; seed++)
        {
            var baseModel = TapModel.Random(Visible, Hidden, 1.0, 1.0, 400 + seed);
            for (int s = 0; s < scales.Length; s++)
            {
                var model = baseModel.WithWeightsScaled(scales[s]);
                double exact = model.ExactLogPartition();
                double e2 = Estimate(model, 2) - exact, e3 = Estimate(model, 3) - exact;
                error2[s] += Math.Abs(e2) / models;
                error3[s] += Math.Abs(e3) / models;
                output.WriteLine($"model {seed} scale {scales[s]}: error order 2 {e2:E3}, order 3 {e3:E3}");
            }
        }
        for (int s = 1; s < scales.Length; s++)
        {
            Assert.True(error2[s] > error2[s - 1], $"order-2 mean error does not grow from scale {scales[s - 1]} to {scales[s]}");
            Assert.True(error3[s] > error3[s - 1], $"order-3 mean error does not grow from scale {scales[s - 1]} to {scales[s]}");
        }
        double exponent2 = Math.Log2(error2[1] / error2[0]), exponent3 = Math.Log2(error3[1] / error3[0]);
        output.WriteLine($"error exponents in the coupling: order 2 {exponent2:F2}, order 3 {exponent3:F2}");
        Assert.InRange(exponent2, 2.5, 3.6);
        Assert.InRange(exponent3, 3.5, 4.6);
        Assert.True(error3[0] < error2[0] && error3[1] < error2[1], "the third order should help at weak coupling");
    }

    [Fact]
    public void StrongCouplingStaysFinite()
    {
        foreach (double scale in new[] { 1.5, 3.0, 6.0 })
        {
            var model = TapModel.Random(Visible, Hidden, scale, 1.0, seed: 77);
            double exact = model.ExactLogPartition();
            double e2 = Estimate(model, 2), e3 = Estimate(model, 3);
            output.WriteLine($"W ~ N(0, {scale}^2): exact {exact:F4}, TAP order 2 {e2:F4}, order 3 {e3:F4}");
            Assert.True(double.IsFinite(e2) && double.IsFinite(e3));
        }
    }

    [Fact]
    public void StartingFromDataFindsTheSameFixedPointWhenItIsUnique()
    {
        var model = TapModel.Random(Visible, Hidden, 0.2, 1.0, seed: 91);
        var random = new Random(92);
        const int rows = 6;
        var data = new float[rows * Visible];
        for (int k = 0; k < data.Length; k++) data[k] = random.Next(2);
        var settings = new TapSettings();
        double fromData = TapExpansion.LogPartition(model.Rbm, settings, Backend, data, rows);
        double fromDefaults = TapExpansion.LogPartition(model.Rbm, settings, Backend);
        Assert.Equal(fromDefaults, fromData, 1e-7);
    }

    [Fact]
    public void EnvelopeTheoremGradientMatchesTheDerivativeOfTheEstimate()
    {
        // d(ln Z_TAP)/d(theta) = d(-G)/d(theta) at the fixed point (the EMF training gradient), checked against central
        // differences of LogPartition itself; and, the coupling being weak, close to the exact <v h>, <v>, <h>.
        var model = TapModel.Random(Visible, Hidden, 0.15, 1.0, seed: 61);
        var settings = new TapSettings { Order = 3 };
        var mv = new float[Visible];
        var mh = new float[Hidden];
        for (int i = 0; i < Visible; i++) mv[i] = Activations.Sigmoid(model.VisibleBias[i]);
        for (int j = 0; j < Hidden; j++) mh[j] = Activations.Sigmoid(model.HiddenBias[j]);
        TapExpansion.Iterate(model.Rbm, new(mv, mh, 1),
            new TapSettings { Order = 3, Iterations = 300 }, Backend);
        var dw = new float[Visible * Hidden];
        var da = new float[Visible];
        var db = new float[Hidden];
        TapExpansion.Gradient(model.Rbm, new(mv, mh, 1), 3, dw, da, db, Backend);
        var exact = TapExact.Expectations(model);

        var pick = new Random(62);
        for (int trial = 0; trial < 8; trial++)
        {
            int k = pick.Next(dw.Length);
            double fd = Derivative(model, model.Weights, k, settings);
            Assert.True(Math.Abs(fd - dw[k]) < 1e-4, $"dW[{k}]: analytic {dw[k]}, d(ln Z_TAP) {fd}");
            Assert.True(Math.Abs(exact.Weights[k] - dw[k]) < 2e-3, $"dW[{k}]: TAP {dw[k]}, exact <v h> {exact.Weights[k]}");
        }
        int i0 = pick.Next(Visible), j0 = pick.Next(Hidden);
        Assert.True(Math.Abs(Derivative(model, model.VisibleBias, i0, settings) - da[i0]) < 1e-4);
        Assert.True(Math.Abs(Derivative(model, model.HiddenBias, j0, settings) - db[j0]) < 1e-4);
        double worst = 0;
        for (int k = 0; k < dw.Length; k++) worst = Math.Max(worst, Math.Abs(exact.Weights[k] - dw[k]));
        output.WriteLine($"largest |TAP - exact| weight gradient: {worst:E2}");
    }

    private static double Derivative(TapModel model, float[] parameter, int k, TapSettings settings)
    {
        float original = parameter[k];
        const double step = 3e-3;
        float up = (float)(original + step), down = (float)(original - step);
        parameter[k] = up;
        double gUp = Estimate(model, settings.Order);
        parameter[k] = down;
        double gDown = Estimate(model, settings.Order);
        parameter[k] = original;
        return (gUp - gDown) / ((double)up - down);
    }

    private static double Estimate(TapModel model, int order)
        => TapExpansion.LogPartition(model.Rbm, new TapSettings { Order = order }, Backend);
}

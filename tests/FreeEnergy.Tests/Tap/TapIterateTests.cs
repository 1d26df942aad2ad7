using FreeEnergy.Compute.Cpu;
using FreeEnergy.Estimation;

namespace FreeEnergy.Tests.Tap;

/// <summary>The damped update itself, determinism, and input validation.</summary>
public sealed class TapIterateTests
{
    [Theory]
    [InlineData(2, 0.5f)]
    [InlineData(3, 0.5f)]
    [InlineData(3, 0f)]
    [InlineData(2, 0.8f)]
    public void OneIterationMatchesAScalarReference(int order, float damping)
    {
        const int visible = 7, hidden = 5, rows = 3;
        var model = TapModel.Random(visible, hidden, 0.8, 1.0, seed: 500 + order);
        var mv = TapModel.RandomMagnetizations(rows * visible, 0.05, 0.95, 501);
        var mh = TapModel.RandomMagnetizations(rows * hidden, 0.05, 0.95, 502);
        var expectedV = (float[])mv.Clone();
        var expectedH = (float[])mh.Clone();
        for (int r = 0; r < rows; r++)
        {
            var v = expectedV.AsSpan(r * visible, visible);
            var h = expectedH.AsSpan(r * hidden, hidden);
            // hidden from visible, then visible from the new hidden
            var newH = new double[hidden];
            for (int j = 0; j < hidden; j++)
            {
                double field = model.HiddenBias[j], m = h[j];
                for (int i = 0; i < visible; i++)
                {
                    double w = model.Weights[i * hidden + j], c = v[i] - (double)v[i] * v[i];
                    field += w * v[i] + w * w * c * (0.5 - m);
                    if (order == 3) field += 2.0 / 3.0 * w * w * w * c * (0.5 - v[i]) * (0.5 - 3 * m + 3 * m * m);
                }
                newH[j] = damping * m + (1 - damping) / (1 + Math.Exp(-field));
            }
            for (int j = 0; j < hidden; j++) h[j] = (float)newH[j];
            var newV = new double[visible];
            for (int i = 0; i < visible; i++)
            {
                double field = model.VisibleBias[i], m = v[i];
                for (int j = 0; j < hidden; j++)
                {
                    double w = model.Weights[i * hidden + j], c = h[j] - (double)h[j] * h[j];
                    field += w * h[j] + w * w * c * (0.5 - m);
                    if (order == 3) field += 2.0 / 3.0 * w * w * w * c * (0.5 - h[j]) * (0.5 - 3 * m + 3 * m * m);
                }
                newV[i] = damping * m + (1 - damping) / (1 + Math.Exp(-field));
            }
            for (int i = 0; i < visible; i++) v[i] = (float)newV[i];
        }

        TapExpansion.Iterate(model.Rbm, new(mv, mh, rows),
            new TapSettings { Order = order, Iterations = 1, Damping = damping }, new CpuBackend(1));
        for (int k = 0; k < mh.Length; k++) Assert.Equal(expectedH[k], mh[k], 1e-5f);
        for (int k = 0; k < mv.Length; k++) Assert.Equal(expectedV[k], mv[k], 1e-5f);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void IterateIsDeterministicAndThreadCountIndependent(int order)
    {
        // Large enough that the elementwise passes split into several parts on 3 threads.
        const int visible = 120, hidden = 80, rows = 120;
        Assert.True(rows * Math.Min(visible, hidden) > 2 * TapWorkspace.ElementsPerPart);
        var model = TapModel.Random(visible, hidden, 0.3, 1.0, seed: 600 + order);
        var settings = new TapSettings { Order = order, Iterations = 2 };
        float[] Run(int threads)
        {
            var mv = TapModel.RandomMagnetizations(rows * visible, 0, 1, 601);
            var mh = TapModel.RandomMagnetizations(rows * hidden, 0, 1, 602);
            TapExpansion.Iterate(model.Rbm, new(mv, mh, rows), settings, new CpuBackend(threads));
            var residual = new float[rows];
            TapExpansion.FixedPointResidual(model.Rbm, new(mv, mh, rows), order, residual, new CpuBackend(threads));
            return [.. mv, .. mh, .. residual];
        }
        var one = Run(1);
        Assert.Equal(one, Run(1));
        Assert.Equal(one, Run(3));
        Assert.All(one.AsSpan(0, rows * (visible + hidden)).ToArray(), m => Assert.InRange(m, 1e-6f, 1f - 1e-6f));
    }

    [Fact]
    public void BinaryStartsAndSaturatedFieldsStayInsideTheOpenInterval()
    {
        const int visible = 6, hidden = 4, rows = 2;
        var model = TapModel.Random(visible, hidden, 30.0, 50.0, seed: 700);
        var mv = new float[] { 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0 };
        var mh = new float[rows * hidden];
        TapExpansion.Iterate(model.Rbm, new(mv, mh, rows),
            new TapSettings { Order = 3, Iterations = 4, Damping = 0f }, new CpuBackend(1));
        Assert.All(mv, m => Assert.InRange(m, 1e-6f, 1f - 1e-6f));
        Assert.All(mh, m => Assert.InRange(m, 1e-6f, 1f - 1e-6f));
        var g = new double[rows];
        TapExpansion.NegativeBetaGibbs(model.Rbm, new(mv, mh, rows), 3, g);
        Assert.All(g, value => Assert.True(double.IsFinite(value)));
    }

    [Fact]
    public void SettingsRejectInvalidValues()
    {
        var settings = new TapSettings();
        Assert.Equal(2, settings.Order);
        Assert.Equal(3, settings.Iterations);
        Assert.Equal(0.5f, settings.Damping);
        Assert.Throws<ArgumentOutOfRangeException>(() => settings.Order = 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => settings.Order = 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => settings.Iterations = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => settings.Damping = 1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => settings.Damping = -0.1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => settings.Damping = float.NaN);
        settings.Order = 3;
        settings.Damping = 0f;
        Assert.Equal(3, settings.Order);
    }

    [Fact]
    public void BadShapesAndParametersGiveClearErrors()
    {
        var model = TapModel.Random(4, 3, 0.5, 1.0, seed: 800);
        var backend = new CpuBackend(1);
        var settings = new TapSettings();
        Assert.Throws<ArgumentException>(() => TapExpansion.Iterate(model.Rbm, new(new float[7], new float[6], 2), settings, backend));
        Assert.Throws<ArgumentException>(() => TapExpansion.Iterate(model.Rbm, new(new float[8], new float[5], 2), settings, backend));
        Assert.Throws<ArgumentNullException>(() => TapExpansion.Iterate(model.Rbm, null!, settings, backend));
        Assert.Throws<ArgumentOutOfRangeException>(() => TapExpansion.NegativeBetaGibbs(model.Rbm, new(new float[4], new float[3], 1), 4, new double[1]));
        Assert.Throws<ArgumentException>(() => TapExpansion.LogPartition(model.Rbm, settings, backend, new float[] { 0, 1, 2, 0 }, 1));
        model.Weights[5] = float.NaN;
        var error = Assert.Throws<FreeEnergyException>(() => TapExpansion.LogPartition(model.Rbm, settings, backend));
        Assert.Contains("weights", error.Message);
    }
}

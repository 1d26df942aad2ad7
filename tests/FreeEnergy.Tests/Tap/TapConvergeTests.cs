using FreeEnergy.Compute.Cpu;
using FreeEnergy.Estimation;

namespace FreeEnergy.Tests.Tap;

/// <summary>The fixed-point search behind <see cref="TapExpansion.LogPartition"/>: compaction of converged rows and pruning.</summary>
public sealed class TapConvergeTests
{
    private const int Visible = 10, Hidden = 8;
    private static readonly CpuBackend Backend = new(1);

    [Theory]
    [InlineData(2, 0.5)]
    [InlineData(3, 0.5)]
    [InlineData(2, 1.0)]
    public void ManyStartsGiveTheBestRowByRowFixedPoint(int order, double coupling)
    {
        var model = TapModel.Random(Visible, Hidden, coupling, 1.0, seed: 900 + order);
        const int rows = 40;
        var random = new Random(901);
        var data = new float[rows * Visible];
        for (int k = 0; k < data.Length; k++) data[k] = k < data.Length / 2 ? random.Next(2) : (float)random.NextDouble();
        var settings = new TapSettings { Order = order };
        double estimate = TapExpansion.LogPartition(model.Rbm, settings, Backend, data, rows);

        // Reference: each start on its own (plus the sigm(a) start), iterated until it stops moving, best -G.
        double best = double.NegativeInfinity;
        for (int r = 0; r <= rows; r++)
        {
            var mv = new float[Visible];
            if (r < rows) data.AsSpan(r * Visible, Visible).CopyTo(mv);
            else for (int i = 0; i < Visible; i++) mv[i] = Activations.Sigmoid(model.VisibleBias[i]);
            for (int i = 0; i < Visible; i++) mv[i] = Math.Clamp(mv[i], 1e-6f, 1f - 1e-6f);
            var mh = new float[Hidden];
            for (int j = 0; j < Hidden; j++)
            {
                double x = model.HiddenBias[j];
                for (int i = 0; i < Visible; i++) x += mv[i] * model.Weights[i * Hidden + j];
                mh[j] = (float)(1 / (1 + Math.Exp(-x)));
            }
            var one = new TapSettings { Order = order, Iterations = 1 };
            for (int iteration = 0; iteration < 500; iteration++)
            {
                var before = mv.Concat(mh).ToArray();
                TapExpansion.Iterate(model.Rbm, new(mv, mh, 1), one, Backend);
                var after = mv.Concat(mh).ToArray();
                if (before.Zip(after, (x, y) => Math.Abs(x - y)).Max() <= 1e-6f) break;
            }
            var g = new double[1];
            TapExpansion.NegativeBetaGibbs(model.Rbm, new(mv, mh, 1), order, g);
            best = Math.Max(best, g[0]);
        }
        Assert.Equal(best, estimate, 1e-6);
    }

    [Fact]
    public void ConvergedRowsAreFixedPointsAndPruningKeepsTheBestCandidates()
    {
        var model = TapModel.Random(Visible, Hidden, 0.7, 1.0, seed: 950);
        const int rows = 40;
        var mv = TapModel.RandomMagnetizations(rows * Visible, 0.01, 0.99, 951);
        var mh = TapModel.RandomMagnetizations(rows * Hidden, 0.01, 0.99, 952);
        var status = TapExpansion.Converge(model.Rbm, mv, mh, rows, 2, 0.5f, Backend);
        var residual = new float[rows];
        TapExpansion.FixedPointResidual(model.Rbm, new(mv, mh, rows), 2, residual, Backend);
        for (int r = 0; r < rows; r++)
        {
            Assert.Equal(TapExpansion.StartStatus.Converged, status[r]);
            Assert.True(residual[r] < 1e-5f, $"row {r}: residual {residual[r]}");
        }

        // A tolerance that can never be met: every row runs on; after the pruning point only the 16 best remain.
        var mv2 = TapModel.RandomMagnetizations(rows * Visible, 0.01, 0.99, 951);
        var mh2 = TapModel.RandomMagnetizations(rows * Hidden, 0.01, 0.99, 952);
        var pruned = TapExpansion.Converge(model.Rbm, mv2, mh2, rows, 2, 0.5f, Backend,
            maxIterations: TapExpansion.LogPartitionPruneAfter + 5, tolerance: -1f);
        Assert.Equal(TapExpansion.LogPartitionKeptCandidates, pruned.Count(s => s == TapExpansion.StartStatus.Unconverged));
        Assert.Equal(rows - TapExpansion.LogPartitionKeptCandidates, pruned.Count(s => s == TapExpansion.StartStatus.Dropped));
        var g = new double[rows];
        TapExpansion.NegativeBetaGibbs(model.Rbm, new(mv2, mh2, rows), 2, g);
        double bestKept = Enumerable.Range(0, rows).Where(r => pruned[r] == TapExpansion.StartStatus.Unconverged).Max(r => g[r]);
        Assert.Equal(g.Max(), bestKept, 1e-9);
    }
}

using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Tests.Rbm;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Device;

/// <summary>
/// The device-resident RBM loop (<see cref="DeviceRbmSession"/>, the one the CUDA backend runs) on the host
/// implementation of the device seam: against a scalar double reference of one CD-1 step, and against the CPU trainer
/// (which it must reproduce: same draws, same rounding) over several epochs with every option that changes the loop.
/// </summary>
public class DeviceRbmTrainingTests
{
    private static readonly CpuBackend Cpu = new(2);

    private static RbmTrainingOptions Options(string phase, bool device, Matrix? validation = null) => new()
    {
        HiddenUnits = 12, Epochs = 3, BatchSize = 30, LearningRate = 0.08f, Momentum = 0.5f, Seed = 11, Backend = Cpu,
        NegativePhase = phase switch
        {
            "cd1" => NegativePhase.ContrastiveDivergence(1),
            "cd2" => NegativePhase.ContrastiveDivergence(2),
            _ => NegativePhase.PersistentContrastiveDivergence(2, 17),
        },
        L2WeightDecay = 1e-3f, L1WeightDecay = 1e-4f, LearningRateSchedule = LearningRateSchedule.LinearDecay,
        ValidationData = validation, MonitorRows = 40,
        DeviceArrays = device ? new HostDeviceArrays(Cpu) : null,
    };

    private static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}[{i}]: device loop {actual[i]} vs reference {expected[i]}");
    }

    [Theory]
    [InlineData("cd1")]
    [InlineData("cd2")]
    [InlineData("pcd2")]
    public void HostSeamReproducesTheCpuTrainer(string phase)
    {
        // 110 rows in batches of 30: a short last batch; PCD with 17 chains: chains != batch rows.
        var data = RbmTestData.RandomBinary(110, 20, 3);
        var valid = RbmTestData.RandomBinary(25, 20, 4);
        var cpuReports = new List<TrainingProgress>();
        var devReports = new List<TrainingProgress>();
        var cpu = RbmTrainer.TrainBernoulli(data.View, Options(phase, false, valid), new SyncProgress(cpuReports));
        var dev = RbmTrainer.TrainBernoulli(data.View, Options(phase, true, valid), new SyncProgress(devReports));
        Close(cpu.Weights, dev.Weights, 1e-5f, "W");
        Close(cpu.VisibleBias, dev.VisibleBias, 1e-5f, "b");
        Close(cpu.HiddenBias, dev.HiddenBias, 1e-5f, "c");
        Assert.NotEqual(RbmTrainer.CreateBernoulli(data.View, Options(phase, false)).Weights, dev.Weights); // it trained
        Assert.Equal(cpuReports.Count, devReports.Count);
        for (int i = 0; i < cpuReports.Count; i++)
        {
            Assert.Equal(cpuReports[i].TrainingLoss, devReports[i].TrainingLoss, 1e-5);
            Assert.Equal(cpuReports[i].ValidationLoss, devReports[i].ValidationLoss, 1e-5);
            Assert.Equal(cpuReports[i].FreeEnergyGap, devReports[i].FreeEnergyGap, 1e-3);
        }
    }

    [Theory]
    [InlineData("cd1")]
    [InlineData("pcd2")]
    public void GaussianRbmWithFixedSigmaOnTheHostSeamReproducesTheCpuTrainer(string phase)
    {
        var data = RbmTestData.RandomBinary(90, 14, 21);
        var valid = RbmTestData.RandomBinary(20, 14, 22);
        foreach (var m in new[] { data, valid })
            for (int i = 0; i < m.Data.Length; i++) m.Data[i] = (m.Data[i] - 0.5f) * 2f + 0.1f * (i % 7 - 3); // roughly standardised, not binary
        RbmTrainingOptions O(bool device)
        {
            var o = Options(phase, device, valid);
            o.LearningRate = 0.01f; o.L1WeightDecay = 0f;
            return o;
        }
        var cpuModel = RbmTrainer.CreateGaussian(data.View, O(false));
        var devModel = RbmTrainer.CreateGaussian(data.View, O(true));
        for (int i = 0; i < cpuModel.VisibleSigma.Length; i++) cpuModel.VisibleSigma[i] = devModel.VisibleSigma[i] = 0.6f + 0.05f * i;
        var cpuReports = new List<TrainingProgress>();
        var devReports = new List<TrainingProgress>();
        RbmTrainer.Train(cpuModel, data.View, O(false), new SyncProgress(cpuReports));
        RbmTrainer.Train(devModel, data.View, O(true), new SyncProgress(devReports));
        Close(cpuModel.Weights, devModel.Weights, 1e-5f, "W");
        Close(cpuModel.VisibleBias, devModel.VisibleBias, 1e-5f, "b");
        Close(cpuModel.HiddenBias, devModel.HiddenBias, 1e-5f, "c");
        for (int i = 0; i < cpuReports.Count; i++)
        {
            Assert.Equal(cpuReports[i].TrainingLoss, devReports[i].TrainingLoss, 1e-5);
            Assert.Equal(cpuReports[i].FreeEnergyGap, devReports[i].FreeEnergyGap, 1e-3);
        }
        Assert.NotEqual(RbmTrainer.CreateGaussian(data.View, O(false)).Weights, devModel.Weights);
    }

    [Fact]
    public void DataStreamedBatchByBatchTrainsLikeResidentData()
    {
        var data = RbmTestData.RandomBinary(70, 15, 5);
        var resident = RbmTrainer.TrainBernoulli(data.View, Options("pcd2", true));
        var o = Options("pcd2", true);
        o.DeviceResidentFloats = 0;
        var streamed = RbmTrainer.TrainBernoulli(data.View, o);
        Assert.Equal(resident.Weights, streamed.Weights);
        Assert.Equal(resident.HiddenBias, streamed.HiddenBias);
    }

    [Fact]
    public void OneCd1StepMatchesAScalarReference()
    {
        // One batch holding every row, no shuffle, no momentum, no decay: W' = W + lr (X0^T P0 - X1^T P1) / n in double,
        // with the Philox draws taken straight from the documented streams.
        int n = 9, d = 7, h = 5;
        float lr = 0.1f;
        ulong seed = 23;
        var data = RbmTestData.RandomBinary(n, d, 6);
        var model = RbmTestData.RandomBernoulli(d, h, 0.7f, 8);
        var w0 = (float[])model.Weights.Clone(); var a0 = (float[])model.VisibleBias.Clone(); var c0 = (float[])model.HiddenBias.Clone();
        RbmTrainer.Train(model, data.View, new RbmTrainingOptions
        {
            Epochs = 1, BatchSize = n, LearningRate = lr, Momentum = 0f, Seed = seed, Shuffle = false, Backend = Cpu,
            NegativePhase = NegativePhase.ContrastiveDivergence(1), L2WeightDecay = 0f, LearningRateSchedule = LearningRateSchedule.Constant,
            DeviceArrays = new HostDeviceArrays(Cpu),
        });

        static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
        float U(ulong stream, int index) { Span<float> u = stackalloc float[1]; Philox.FillUniform(seed, stream, (ulong)index, u); return u[0]; }
        var x0 = data.Data; var p0 = new double[n * h]; var h0 = new double[n * h];
        var v1 = new double[n * d]; var p1 = new double[n * h];
        for (int r = 0; r < n; r++)
            for (int j = 0; j < h; j++)
            {
                double s = c0[j];
                for (int i = 0; i < d; i++) s += x0[r * d + i] * w0[i * h + j];
                p0[r * h + j] = Sigmoid(s);
                h0[r * h + j] = U(RbmTrainingSession.SampleStream(0, 0, 0), r * h + j) < (float)p0[r * h + j] ? 1 : 0;
            }
        for (int r = 0; r < n; r++)
            for (int i = 0; i < d; i++)
            {
                double s = a0[i];
                for (int j = 0; j < h; j++) s += h0[r * h + j] * w0[i * h + j];
                v1[r * d + i] = U(RbmTrainingSession.SampleStream(0, 0, 1), r * d + i) < (float)Sigmoid(s) ? 1 : 0;
            }
        for (int r = 0; r < n; r++)
            for (int j = 0; j < h; j++)
            {
                double s = c0[j];
                for (int i = 0; i < d; i++) s += v1[r * d + i] * w0[i * h + j];
                p1[r * h + j] = Sigmoid(s);
            }
        var w = new float[d * h]; var a = new float[d]; var c = new float[h];
        for (int i = 0; i < d; i++)
        {
            double ga = 0;
            for (int r = 0; r < n; r++) ga += x0[r * d + i] - v1[r * d + i];
            a[i] = (float)(a0[i] + lr * ga / n);
            for (int j = 0; j < h; j++)
            {
                double g = 0;
                for (int r = 0; r < n; r++) g += x0[r * d + i] * p0[r * h + j] - v1[r * d + i] * p1[r * h + j];
                w[i * h + j] = (float)(w0[i * h + j] + lr * g / n);
            }
        }
        for (int j = 0; j < h; j++)
        {
            double g = 0;
            for (int r = 0; r < n; r++) g += p0[r * h + j] - p1[r * h + j];
            c[j] = (float)(c0[j] + lr * g / n);
        }
        Close(w, model.Weights, 1e-5f, "W");
        Close(a, model.VisibleBias, 1e-5f, "b");
        Close(c, model.HiddenBias, 1e-5f, "c");
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestEpochLikeTheCpuTrainer()
    {
        var data = RbmTestData.RandomBinary(60, 12, 7);
        var valid = RbmTestData.RandomBinary(20, 12, 8); // unrelated rows: validation error soon stops improving
        RbmTrainingOptions O(bool device)
        {
            var o = Options("cd1", device, valid);
            o.Epochs = 30; o.LearningRate = 0.5f; o.EarlyStoppingPatience = 2; o.LearningRateSchedule = LearningRateSchedule.Constant;
            return o;
        }
        var cpuModel = RbmTrainer.CreateBernoulli(data.View, O(false));
        var devModel = RbmTrainer.CreateBernoulli(data.View, O(true));
        var cpu = RbmTrainer.Train(cpuModel, data.View, O(false));
        var dev = RbmTrainer.Train(devModel, data.View, O(true));
        Assert.True(cpu.StoppedEarly, "the setting should stop early");
        Assert.True(dev.StoppedEarly);
        Assert.Equal(cpu.BestEpoch, dev.BestEpoch);
        Assert.Equal(cpu.EpochsRun, dev.EpochsRun);
        Close(cpuModel.Weights, devModel.Weights, 1e-5f, "W");
    }

    [Fact]
    public void DivergenceKeepsTheLastGoodParametersAndSaysSo()
    {
        var data = RbmTestData.RandomBinary(40, 10, 9);
        var o = Options("cd1", true);
        o.Epochs = 5; o.LearningRate = 1e4f; o.Momentum = 0.9f; o.DivergenceLimit = 50f;
        var model = RbmTrainer.CreateBernoulli(data.View, o);
        var e = Assert.Throws<TrainingDivergedException>(() => RbmTrainer.Train(model, data.View, o));
        Assert.Contains("diverged in epoch", e.Message);
        Assert.True(RbmKernels.IsSane(model.Weights, 50f) && RbmKernels.IsSane(model.HiddenBias, 50f));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void TapTrainingOnTheHostSeamReproducesTheCpuTrainer(int order)
    {
        // Persistent magnetisations over 3 epochs, a short last batch (110 rows in batches of 30), both decays, momentum;
        // weights of scale 0.4 so that the W^2 and W^3 terms are far above the tolerance.
        var data = RbmTestData.RandomBinary(110, 20, 31);
        var valid = RbmTestData.RandomBinary(25, 20, 32);
        var gemms = new CountingBackend(Cpu);
        RbmTrainingOptions O(bool device, int tapOrder)
        {
            var o = Options("cd1", false, valid);
            o.NegativePhase = NegativePhase.Tap(tapOrder, 3, 0.5f);
            o.LearningRate = 0.05f;
            if (device) o.DeviceArrays = new HostDeviceArrays(gemms);
            return o;
        }
        var start = RbmTestData.RandomBernoulli(20, 12, 0.4f, 34);
        BernoulliRbm Train(bool device, int tapOrder, List<TrainingProgress>? reports = null)
        {
            var m = RbmTestData.RandomBernoulli(20, 12, 0.4f, 34);
            RbmTrainer.Train(m, data.View, O(device, tapOrder), reports is null ? null : new SyncProgress(reports));
            return m;
        }
        var cpuReports = new List<TrainingProgress>();
        var devReports = new List<TrainingProgress>();
        var cpu = Train(false, order, cpuReports);
        var dev = Train(true, order, devReports);
        Assert.True(gemms.Products > 0, "TAP training with a device seam should run the device-resident loop");
        Close(cpu.Weights, dev.Weights, 1e-5f, "W");
        Close(cpu.VisibleBias, dev.VisibleBias, 1e-5f, "b");
        Close(cpu.HiddenBias, dev.HiddenBias, 1e-5f, "c");
        Assert.Equal(cpuReports.Count, devReports.Count);
        for (int i = 0; i < cpuReports.Count; i++)
        {
            Assert.Equal(cpuReports[i].TrainingLoss, devReports[i].TrainingLoss, 1e-5);
            Assert.Equal(cpuReports[i].ValidationLoss, devReports[i].ValidationLoss, 1e-5);
        }
        // The comparison can see what it checks: training moved the weights, and the other order trains differently.
        Assert.True(MaxDifference(start.Weights, dev.Weights) > 1e-2, "the weights barely moved");
        var other = Train(true, 5 - order);
        Assert.True(MaxDifference(other.Weights, dev.Weights) > 1e-3, $"orders 2 and 3 trained alike ({MaxDifference(other.Weights, dev.Weights)})");
    }

    private static double MaxDifference(float[] a, float[] b)
    {
        double largest = 0;
        for (int i = 0; i < a.Length; i++) largest = Math.Max(largest, Math.Abs(a[i] - b[i]));
        return largest;
    }

    /// <summary>A backend that counts its products (to see that the device seam, not the CPU loop, did the work).</summary>
    private sealed class CountingBackend(IComputeBackend inner) : IComputeBackend
    {
        public int Products;

        public string Name => inner.Name;

        public int Threads => inner.Threads;

        public void Gemm(Transpose transposeA, Transpose transposeB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        {
            Products++;
            inner.Gemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }

        public void For(int count, int grain, Action<int, int> body) => inner.For(count, grain, body);
    }

    private sealed class SyncProgress(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }
}

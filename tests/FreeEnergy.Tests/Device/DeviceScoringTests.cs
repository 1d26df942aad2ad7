using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Device;
using FreeEnergy.Estimation;
using FreeEnergy.Models;
using FreeEnergy.Tests.Rbm;

namespace FreeEnergy.Tests.Device;

/// <summary>
/// RBM free-energy scoring and AIS on the device seam's host implementation (the code the CUDA backend runs):
/// against the CPU engine and against exact enumeration.
/// </summary>
public class DeviceScoringTests
{
    private static readonly CpuBackend Cpu = new(2);

    [Fact]
    public void FreeEnergiesMatchTheCpuModelAcrossChunks()
    {
        var model = RbmTestData.RandomBernoulli(13, 9, 1.2f, 4);
        var data = RbmTestData.RandomBinary(DeviceRbmScoring.ChunkRows + 37, 13, 5); // two chunks, the second short
        var expected = new double[data.Rows];
        model.FreeEnergy(data.View, expected);
        var actual = new double[data.Rows];
        DeviceRbmScoring.FreeEnergy(new HostDeviceArrays(Cpu), model, data.View, actual);
        for (int r = 0; r < data.Rows; r++)
            Assert.True(Math.Abs(expected[r] - actual[r]) <= 1e-5 * Math.Max(1, Math.Abs(expected[r])), $"row {r}: {actual[r]} vs {expected[r]}");
    }

    [Fact]
    public void GaussianFreeEnergiesMatchTheCpuModel()
    {
        var model = RbmTestData.RandomGaussian(11, 7, 0.8f, 14);
        var data = RbmTestData.RandomBinary(300, 11, 15);
        for (int i = 0; i < data.Data.Length; i++) data.Data[i] = 2f * data.Data[i] - 1f + 0.01f * (i % 13);
        var expected = new double[data.Rows];
        model.FreeEnergy(data.View, expected);
        var actual = new double[data.Rows];
        DeviceRbmScoring.FreeEnergy(new HostDeviceArrays(Cpu), model, data.View, actual);
        for (int r = 0; r < data.Rows; r++)
            Assert.True(Math.Abs(expected[r] - actual[r]) <= 1e-5 * Math.Max(1, Math.Abs(expected[r])), $"row {r}: {actual[r]} vs {expected[r]}");
    }

    [Fact]
    public void AisOnTheSeamDrawsWhatTheCpuEstimatorDrawsAndFindsTheExactLogPartition()
    {
        var model = RbmTestData.RandomBernoulli(12, 8, 1f, 6);
        var data = RbmTestData.RandomBinary(50, 12, 7);
        AisOptions Options(bool device) => new()
        {
            Runs = 64, Betas = AisOptions.DefaultSchedule(100, 300, 600), Seed = 3, Backend = Cpu,
            DeviceArrays = device ? new HostDeviceArrays(Cpu) : null,
        };
        var cpu = AnnealedImportanceSampling.Estimate(model, data.View, Options(false));
        var dev = AnnealedImportanceSampling.Estimate(model, data.View, Options(true));
        Assert.Equal(cpu.Steps, dev.Steps);
        Assert.Equal(cpu.LogPartition, dev.LogPartition, 1e-4);     // same draws; float (Kahan) vs double log-weights
        Assert.Equal(cpu.Upper, dev.Upper, 1e-3);
        var exact = ExactLogPartition.Estimate(model).LogPartition;
        Assert.True(Math.Abs(dev.LogPartition - exact) < 0.05, $"AIS {dev.LogPartition} vs exact {exact}");
    }
}

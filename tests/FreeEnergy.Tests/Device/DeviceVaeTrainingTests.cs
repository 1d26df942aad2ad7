using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Device;
using FreeEnergy.Models;
using FreeEnergy.Tests.Rbm;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Device;

/// <summary>
/// The device-resident VAE loop (<see cref="DeviceVaeSession"/>, the one the CUDA backend runs) on the host seam
/// against the CPU trainer, for the ELBO and the importance-weighted bound (k &gt; 1): same shuffles, same noise, same
/// arithmetic kernels, so the same parameters and losses.
/// </summary>
public class DeviceVaeTrainingTests
{
    private static readonly CpuBackend Cpu = new(2);

    [Theory]
    [InlineData(Activation.Relu, 1)]
    [InlineData(Activation.Tanh, 1)]
    [InlineData(Activation.Softplus, 1)]
    [InlineData(Activation.Tanh, 3)]
    [InlineData(Activation.Relu, 4)]
    public void HostSeamReproducesTheCpuTrainer(Activation activation, int importanceSamples)
    {
        var data = RbmTestData.RandomBinary(70, 20, 11);   // batches of 16: a short last batch
        var valid = RbmTestData.RandomBinary(15, 20, 12);
        VaeTrainingOptions Options(bool device) => new()
        {
            LatentDimension = 3, EncoderLayers = [12, 8], DecoderLayers = [9], Activation = activation, BatchSize = 16, Epochs = 3,
            LearningRate = 3e-3f, WeightDecay = 1e-4f, KlWarmupEpochs = 2, Seed = 5, PriorScale = 1.5f, ImportanceSamples = importanceSamples,
            DeviceArrays = device ? new HostDeviceArrays(Cpu) : null,
        };
        var cpuModel = Models.Vae.Create(20, Options(false));
        var devModel = Models.Vae.Create(20, Options(true));
        cpuModel.Backend = Cpu; devModel.Backend = Cpu;
        Assert.Equal(cpuModel.Parameters, devModel.Parameters);
        var start = (float[])cpuModel.Parameters.Clone();
        var cpu = VaeTrainer.Fit(cpuModel, data.View, valid.View, Options(false));
        var dev = VaeTrainer.Fit(devModel, data.View, valid.View, Options(true));
        DeviceVaeAssert.TracksTheCpu(cpu, dev, start, cpuModel.Parameters, devModel.Parameters);
    }
}

/// <summary>VAE F_q scoring (the fixed-noise estimates behind Vae.FreeEnergy) on the host seam against the CPU scorer.</summary>
public class DeviceVaeScoringTests
{
    [Fact]
    public void HostSeamScoresLikeTheCpuAcrossChunks()
    {
        var options = new VaeTrainingOptions { LatentDimension = 3, EncoderLayers = [10], DecoderLayers = [7], ScoringSamples = 5, Seed = 9, Activation = Activation.Tanh, PriorScale = 0.8f };
        var model = Models.Vae.Create(16, options);
        var cpu = new CpuBackend(2);
        model.Backend = cpu;
        var data = RbmTestData.RandomBinary(450, 16, 13); // 2048 / 5 = 409 rows per device chunk: two chunks
        var expected = FreeEnergy.Estimation.VaeScoring.Run(model, data.View, model.ScoringSamples, model.ScoringNoiseData, 0, cpu);
        var actual = FreeEnergy.Estimation.VaeScoring.Run(model, data.View, model.ScoringSamples, model.ScoringNoiseData, 0, cpu, new HostDeviceArrays(cpu));
        void Close(float[] e, float[] a, string what)
        {
            for (int i = 0; i < e.Length; i++)
                Assert.True(Math.Abs(e[i] - a[i]) <= 1e-4 * Math.Max(1, Math.Abs(e[i])), $"{what}[{i}]: device {a[i]} vs CPU {e[i]}");
        }
        Close(expected.FreeEnergy, actual.FreeEnergy, "F_q");
        Close(expected.ImportanceWeighted, actual.ImportanceWeighted, "IWAE");
        Close(expected.CumulantSecondOrder, actual.CumulantSecondOrder, "cumulant2");
        Close(expected.CumulantThirdOrder, actual.CumulantThirdOrder, "cumulant3");
    }
}

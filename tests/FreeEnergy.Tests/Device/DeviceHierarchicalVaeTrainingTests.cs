using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Device;
using FreeEnergy.Models;
using FreeEnergy.Tests.Rbm;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Device;

/// <summary>
/// The device-resident two-level VAE loop (<see cref="DeviceHierarchicalVaeSession"/>, the one the CUDA backend runs) on
/// the host seam against the CPU trainer (<see cref="HierarchicalVaeTrainer"/>), for the ELBO (k = 1) and the
/// importance-weighted bound (k &gt; 1): same shuffles, same noise, same network and arithmetic kernels, so the same
/// parameters and losses up to the single-precision loss terms.
/// </summary>
public class DeviceHierarchicalVaeTrainingTests
{
    private static readonly CpuBackend Cpu = new(2);

    private static VaeTrainingOptions Options(Activation activation, int importanceSamples, IDeviceArrays? device) => new()
    {
        LatentDimension = 4, UpperLatentDimension = 2, EncoderLayers = [12, 8], UpperLayers = [6], Activation = activation, BatchSize = 16, Epochs = 3,
        LearningRate = 3e-3f, WeightDecay = 1e-4f, KlWarmupEpochs = 2, Seed = 5, Beta = 1.25f, UpperBeta = 0.8f, ImportanceSamples = importanceSamples,
        DeviceArrays = device,
    };

    private static (HierarchicalVae Model, IReadOnlyList<TrainingProgress> History) Train(Activation activation, int importanceSamples, bool device)
    {
        var data = RbmTestData.RandomBinary(70, 20, 11);   // batches of 16: a short last batch
        var valid = RbmTestData.RandomBinary(15, 20, 12);
        var options = Options(activation, importanceSamples, device ? new HostDeviceArrays(Cpu) : null);
        var model = HierarchicalVae.Create(20, options);
        model.Backend = Cpu;
        return (model, HierarchicalVaeTrainer.Fit(model, data.View, valid.View, options));
    }

    [Theory]
    [InlineData(Activation.Tanh, 1)]
    [InlineData(Activation.Relu, 1)]
    [InlineData(Activation.Softplus, 1)]
    [InlineData(Activation.Tanh, 3)]
    [InlineData(Activation.Relu, 5)]
    public void HostSeamReproducesTheCpuTrainer(Activation activation, int importanceSamples)
    {
        var start = HierarchicalVae.Create(20, Options(activation, importanceSamples, null)).Parameters;
        var (cpuModel, cpu) = Train(activation, importanceSamples, device: false);
        var (devModel, dev) = Train(activation, importanceSamples, device: true);
        DeviceVaeAssert.TracksTheCpu(cpu, dev, start, cpuModel.Parameters, devModel.Parameters);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void SameSeedSameWeights(int importanceSamples)
    {
        var (first, firstHistory) = Train(Activation.Tanh, importanceSamples, device: true);
        var (second, secondHistory) = Train(Activation.Tanh, importanceSamples, device: true);
        Assert.Equal(first.Parameters, second.Parameters);
        Assert.Equal(firstHistory.Select(p => p.TrainingLoss), secondHistory.Select(p => p.TrainingLoss));
    }
}

using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Models;
using FreeEnergy.Persistence;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Reliability;

/// <summary>
/// Same seed gives bit-identical models, and so does a different thread count (1 vs 2) for every trainer:
/// RBM with CD, PCD and TAP, Gaussian RBM, VAE. Different SIMD levels agree closely but not to the bit (docs/determinism.md).
/// </summary>
public sealed class DeterminismTests
{
    private static readonly Matrix Data = ReliabilityFiles.Binary(384, 64, 31);

    private static byte[] Bytes(IFreeEnergyModel model)
    {
        var stream = new MemoryStream();
        var document = model.ToDocument();
        ModelFile.Save(stream, new ModelDocument(document.Kind, new Dictionary<string, string>(), document.Tensors));
        return stream.ToArray();
    }

    private static IFreeEnergyModel Train(string trainer, IComputeBackend backend)
    {
        var rbm = new RbmTrainingOptions { HiddenUnits = 64, Epochs = 2, BatchSize = 128, Seed = 17, Backend = backend, LearningRate = 0.05f };
        switch (trainer)
        {
            case "cd": rbm.NegativePhase = NegativePhase.ContrastiveDivergence(2); return RbmTrainer.TrainBernoulli(Data.View, rbm);
            case "pcd": rbm.NegativePhase = NegativePhase.PersistentContrastiveDivergence(1, 64); return RbmTrainer.TrainBernoulli(Data.View, rbm);
            case "tap": rbm.NegativePhase = NegativePhase.Tap(3); rbm.LearningRate = 0.005f; return RbmTrainer.TrainBernoulli(Data.View, rbm);
            case "grbm": rbm.LearnSigma = true; rbm.LearningRate = 0.005f; return RbmTrainer.TrainGaussian(Data.View, rbm);
            case "vae":
                return VaeTrainer.Train(Data.View, null, new VaeTrainingOptions { LatentDimension = 4, EncoderLayers = [64], Epochs = 2, BatchSize = 128, Seed = 17 }, backend);
            default: throw new ArgumentException(trainer);
        }
    }

    /// <summary>The shapes are large enough that 2 threads split the GEMMs (PackedGemm's minimum work per thread is 2^17 multiply-adds).</summary>
    [Theory]
    [InlineData("cd")]
    [InlineData("pcd")]
    [InlineData("tap")]
    [InlineData("grbm")]
    [InlineData("vae")]
    public void SameSeedGivesBitIdenticalModelsWhateverTheThreadCount(string trainer)
    {
        var one = Bytes(Train(trainer, new CpuBackend(1)));
        var again = Bytes(Train(trainer, new CpuBackend(1)));
        var two = Bytes(Train(trainer, new CpuBackend(2)));
        Assert.Equal(one, again);
        Assert.Equal(one, two);
        // Not vacuous: another seed changes the model.
        var other = trainer == "vae"
            ? Bytes(VaeTrainer.Train(Data.View, null, new VaeTrainingOptions { LatentDimension = 4, EncoderLayers = [64], Epochs = 2, BatchSize = 128, Seed = 18 }, new CpuBackend(1)))
            : null;
        if (other is not null) Assert.NotEqual(one, other);
    }

    [Fact]
    public void SimdLevelsAgreeToRoundingButNeedNotMatchBits()
    {
        var model = ReliabilityFiles.SmallRbm(64, 40, 8);
        model.Backend = new CpuBackend(1, SimdLevel.Scalar);
        var scalar = model.FreeEnergy(Data.View);
        model.Backend = new CpuBackend(1, SimdLevel.Auto);
        var simd = model.FreeEnergy(Data.View);
        for (int i = 0; i < scalar.Length; i++)
            Assert.True(MathF.Abs(scalar[i] - simd[i]) <= 1e-5f * (1 + MathF.Abs(scalar[i])), $"row {i}: {scalar[i]} vs {simd[i]}");
    }
}

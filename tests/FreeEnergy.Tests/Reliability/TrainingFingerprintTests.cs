using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Device;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Tests.Rbm;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Reliability;

/// <summary>
/// A guard for refactoring the trainers: small models trained with fixed seeds through every path of the CPU loops
/// (CD with the binary one-pass and multi-block weight steps, L1 decay, dense products, fractional data, PCD, TAP-2,
/// TAP-3, Gaussian RBM with fixed and learned sigma, early stopping, VAE with either likelihood) and of the device loop
/// on its host seam, hashed from the float bits of the parameters and of the per-epoch reports, against values recorded
/// from main before the refactor (bdefa16). The bits depend on the CPU's vector width, so the values are recorded per
/// instruction set (AVX-512, and AVX2 + FMA) and the theory is skipped on a CPU without a recording.
/// </summary>
public sealed class TrainingFingerprintTests
{
    /// <summary>The recorded fingerprints of this instruction set (see <see cref="Platform"/>); null where none are recorded.</summary>
    internal static IReadOnlyDictionary<string, string>? Recorded => Platform switch
    {
        "avx512" => Avx512,
        "avx2-fma" => Avx2Fma,
        _ => null,
    };

    /// <summary>The vector width the trainers' arithmetic depends on.</summary>
    internal static string Platform =>
        Vector512.IsHardwareAccelerated ? "avx512" : Avx2.IsSupported && Fma.IsSupported ? "avx2-fma" : "other";

    private static readonly Dictionary<string, string> Avx512 = new()
    {
        ["cd1"] = "dfe817105b946b84b959096c479cd8d8",
        ["cd1-dense"] = "dfe817105b946b84b959096c479cd8d8",
        ["cd1-fractional"] = "f4811d42f9a4f0558f4c704badb08bd8",
        ["cd1-multiblock"] = "93a1086dd02193bfc070ccf9a9de5c19",
        ["cd2-l1"] = "2d9af3ec2a4a78b34e0699edd0e40384",
        ["device-cd1"] = "237ac6d2a6f91674834ee797a3705905",
        ["device-grbm"] = "1d9e622a7fc23da8c4af542db0939c7b",
        ["device-pcd"] = "814699a09c6f52f7de7769970b4f00dd",
        ["device-tap2"] = "d92706f2575b96476d350fd89cd944bf",
        ["device-tap3"] = "271ec18b83b6796e92bf2c32f8460635",
        ["device-vae"] = "30b72eb3650b3d886a69b005a7dd916e",
        ["grbm"] = "902173785d278570d533f981027a6a09",
        ["grbm-sigma"] = "baa42c5d01e9d82992a655e8ca115e54",
        ["pcd"] = "49d30f35a0896bedc1db9aa8bb249e3a",
        ["pcd-early-stopping"] = "4e07f7f98a501fad67828337e282b7bf",
        ["tap2"] = "b34a15a5ae127ac1e919a0c3d88a7352",
        ["tap3"] = "3a8384a3dab022aa0c7b453d7b690e7d",
        ["vae"] = "7ac220bf1426741ebe4a36df87122a5d",
        ["vae-gaussian-early-stopping"] = "9df2de2d52d1690bf463ac26f2ea2bca",
    };

    /// <summary>
    /// Recorded with DOTNET_EnableAVX512=0 on the same CPU (the JIT then uses 256-bit vectors, as on an AVX2 machine):
    /// the RBM paths give the same bits as with AVX-512, the VAE's differ.
    /// </summary>
    private static readonly Dictionary<string, string> Avx2Fma = new(Avx512)
    {
        ["device-vae"] = "92ff7946ead6fa7a70b76a7041cf2cd2",
        ["vae"] = "ed528bf31cdb69b047e480fd6b9e4eda",
        ["vae-gaussian-early-stopping"] = "42376d822a5ceafac9a6da75d0e91ed6",
    };

    private static readonly CpuBackend Cpu = new(2);

    [FingerprintTheory]
    [InlineData("cd1")]
    [InlineData("cd1-multiblock")]
    [InlineData("cd2-l1")]
    [InlineData("cd1-dense")]
    [InlineData("cd1-fractional")]
    [InlineData("pcd")]
    [InlineData("pcd-early-stopping")]
    [InlineData("tap2")]
    [InlineData("tap3")]
    [InlineData("grbm")]
    [InlineData("grbm-sigma")]
    [InlineData("vae")]
    [InlineData("vae-gaussian-early-stopping")]
    [InlineData("device-cd1")]
    [InlineData("device-pcd")]
    [InlineData("device-tap2")]
    [InlineData("device-tap3")]
    [InlineData("device-grbm")]
    [InlineData("device-vae")]
    public void TrainingReproducesTheRecordedBits(string name)
    {
        string actual = Fingerprint(name);
        Assert.True(Recorded!.TryGetValue(name, out var expected), $"no fingerprint recorded for {name} on {Platform}: [\"{name}\"] = \"{actual}\",");
        Assert.True(expected == actual, $"{name} on {Platform}: trained to {actual}, recorded {expected}");
    }

    internal static string Fingerprint(string name)
    {
        var reports = new List<TrainingProgress>();
        var progress = new SyncProgress(reports);
        bool device = name.StartsWith("device-", StringComparison.Ordinal);
        string trainer = device ? name["device-".Length..] : name;
        float[][] parameters;
        if (trainer.StartsWith("vae", StringComparison.Ordinal))
        {
            var model = TrainVae(trainer, device, progress);
            parameters = [model.Parameters];
        }
        else
        {
            var model = TrainRbm(trainer, device, progress);
            parameters = model is GaussianRbm g
                ? [model.Weights, model.VisibleBias, model.HiddenBias, g.VisibleSigma]
                : [model.Weights, model.VisibleBias, model.HiddenBias];
        }
        if (name.EndsWith("early-stopping", StringComparison.Ordinal)) Assert.True(reports.Count < 12, $"{name} ran all its epochs: early stopping was not exercised");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var p in parameters)
        {
            var bits = new int[p.Length];
            for (int i = 0; i < p.Length; i++) bits[i] = BitConverter.SingleToInt32Bits(p[i]);
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(bits.AsSpan()));
        }
        foreach (var r in reports)
        {
            hash.AppendData(BitConverter.GetBytes(r.Epoch));
            hash.AppendData(BitConverter.GetBytes(BitConverter.DoubleToInt64Bits(r.TrainingLoss)));
            hash.AppendData(BitConverter.GetBytes(BitConverter.DoubleToInt64Bits(r.ValidationLoss)));
            hash.AppendData(BitConverter.GetBytes(BitConverter.DoubleToInt64Bits(r.FreeEnergyGap)));
        }
        return Convert.ToHexString(hash.GetHashAndReset())[..32].ToLowerInvariant();
    }

    private static RbmBase TrainRbm(string trainer, bool device, IProgress<TrainingProgress> progress)
    {
        var data = RbmTestData.RandomBinary(300, 24, 41);
        var validation = RbmTestData.RandomBinary(60, 24, 42);
        var o = new RbmTrainingOptions
        {
            HiddenUnits = 16, Epochs = 3, BatchSize = 50, LearningRate = 0.05f, Momentum = 0.5f, Seed = 23, Backend = Cpu,
            ValidationData = validation, MonitorRows = 80,
            DeviceArrays = device ? new HostDeviceArrays(Cpu) : null,
        };
        switch (trainer)
        {
            case "cd1": o.NegativePhase = NegativePhase.ContrastiveDivergence(1); break;
            case "cd1-multiblock": o.NegativePhase = NegativePhase.ContrastiveDivergence(1); o.BatchSize = 256; o.Epochs = 4; break;
            case "cd2-l1": o.NegativePhase = NegativePhase.ContrastiveDivergence(2); o.L1WeightDecay = 1e-3f; o.LearningRateSchedule = LearningRateSchedule.Constant; break;
            case "cd1-dense": o.NegativePhase = NegativePhase.ContrastiveDivergence(1); o.DenseProducts = true; break;
            case "cd1-fractional":
                o.NegativePhase = NegativePhase.ContrastiveDivergence(1);
                data = Fractional(data);
                break;
            case "pcd": o.NegativePhase = NegativePhase.PersistentContrastiveDivergence(2, 37); break;
            case "pcd-early-stopping":
                o.NegativePhase = NegativePhase.PersistentContrastiveDivergence(1);
                o.Epochs = 12; o.LearningRate = 0.3f; o.EarlyStoppingPatience = 1;
                break;
            case "tap2": o.NegativePhase = NegativePhase.Tap(2); o.LearningRate = 0.01f; break;
            case "tap3": o.NegativePhase = NegativePhase.Tap(3); o.LearningRate = 0.01f; break;
            case "grbm": o.NegativePhase = NegativePhase.PersistentContrastiveDivergence(1, 20); o.LearningRate = 0.01f; break;
            case "grbm-sigma": o.NegativePhase = NegativePhase.ContrastiveDivergence(1); o.LearningRate = 0.01f; o.LearnSigma = true; break;
            default: throw new ArgumentException(trainer);
        }
        if (trainer.StartsWith("grbm", StringComparison.Ordinal)) return RbmTrainer.TrainGaussian(Centred(data).View, o, progress);
        return RbmTrainer.TrainBernoulli(data.View, o, progress);
    }

    private static Models.Vae TrainVae(string trainer, bool device, IProgress<TrainingProgress> progress)
    {
        var data = RbmTestData.RandomBinary(300, 24, 43);
        var validation = RbmTestData.RandomBinary(60, 24, 44);
        var o = new VaeTrainingOptions
        {
            LatentDimension = 3, EncoderLayers = [12, 8], Epochs = 3, BatchSize = 64, Seed = 29, LearningRate = 3e-3f, KlWarmupEpochs = 2,
            DeviceArrays = device ? new HostDeviceArrays(Cpu) : null,
        };
        MatrixView? valid = null;
        switch (trainer)
        {
            case "vae": valid = validation.View; break;
            case "vae-gaussian-early-stopping":
                o.Likelihood = VaeLikelihood.Gaussian; o.Activation = Activation.Tanh; o.DecoderLayers = [10];
                o.Epochs = 12; o.LearningRate = 2e-2f; o.EarlyStoppingPatience = 1; o.WeightDecay = 1e-3f;
                data = Centred(data); valid = Centred(validation).View;
                break;
            default: throw new ArgumentException(trainer);
        }
        return VaeTrainer.Train(data.View, valid, o, Cpu, progress);
    }

    /// <summary>Binary rows mapped to {0.2, 0.9}: not 0/1, so the products run as dense GEMMs.</summary>
    private static Matrix Fractional(Matrix binary)
    {
        var m = new Matrix(binary.Rows, binary.Columns);
        var s = binary.View.Span;
        for (int i = 0; i < s.Length; i++) m.Data[i] = s[i] > 0.5f ? 0.9f : 0.2f;
        return m;
    }

    /// <summary>Binary rows mapped to {-1, 1}.</summary>
    private static Matrix Centred(Matrix binary)
    {
        var m = new Matrix(binary.Rows, binary.Columns);
        var s = binary.View.Span;
        for (int i = 0; i < s.Length; i++) m.Data[i] = 2 * s[i] - 1;
        return m;
    }

    /// <summary>Reports collected in order, on the training thread.</summary>
    private sealed class SyncProgress(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }
}

/// <summary>A theory that runs only on an instruction set with recorded fingerprints (<see cref="TrainingFingerprintTests.Platform"/>).</summary>
public sealed class FingerprintTheoryAttribute : TheoryAttribute
{
    public FingerprintTheoryAttribute()
    {
        if (TrainingFingerprintTests.Recorded is null)
            Skip = $"no training fingerprints are recorded for this CPU ({TrainingFingerprintTests.Platform}); record them from the commit before a refactor.";
    }
}

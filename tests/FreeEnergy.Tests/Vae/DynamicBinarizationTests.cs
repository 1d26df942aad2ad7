using System.Globalization;
using System.Text.Json;
using FreeEnergy.Cli;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Persistence;
using FreeEnergy.Tensors;
using FreeEnergy.Tests.Cli;
using FreeEnergy.Tests.Data;
using FreeEnergy.Training;
using VaeModel = FreeEnergy.Models.Vae;

namespace FreeEnergy.Tests.Vae;

/// <summary>
/// <see cref="VaeTrainingOptions.DynamicBinarization"/>: the draws (<see cref="Binarization"/>) against an independent
/// reference and against their Bernoulli means, their keys (epoch, row; not threads, batches or the device), the training
/// paths of the one- and two-level VAE, the range check and the CLI flags.
/// </summary>
public class DynamicBinarizationTests
{
    /// <summary>Grey rows in [0, 1] (with exact 0s and 1s).</summary>
    private static Matrix Grey(int rows, int d, ulong seed)
    {
        var random = new RandomStream(seed, 3);
        var m = new Matrix(rows, d);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = i % 11 == 0 ? 0f : i % 13 == 0 ? 1f : random.NextFloat();
        return m;
    }

    private static VaeTrainingOptions Small(bool dynamic, int upper = 0, int k = 1) => new()
    {
        LatentDimension = 3, UpperLatentDimension = upper, EncoderLayers = [16], Epochs = 3, BatchSize = 16, LearningRate = 3e-3f, Seed = 7,
        ImportanceSamples = k, DynamicBinarization = dynamic,
    };

    [Fact]
    public void DrawsAreTheDocumentedPhiloxWordsCompared()
    {
        // Reference: value j of row i in epoch e is 1 when the scalar Philox uniform (seed, stream(7, e, 1), i D + j) is below it.
        const int d = 37;   // odd: rows start mid-block
        var grey = Grey(9, d, 1);
        var u = new float[d];
        var drawn = new float[d];
        foreach (int epoch in new[] { 0, 4 })
            for (int i = 0; i < grey.Rows; i++)
            {
                Philox.FillUniform(5, Philox.Stream(VaeModel.PurposeBinarize, (ulong)epoch, 1), (ulong)(i * d), u);
                Binarization.Row(grey.Row(i), drawn, 5, Binarization.EpochStream(epoch), i);
                for (int j = 0; j < d; j++) Assert.Equal(u[j] < grey[i, j] ? 1f : 0f, drawn[j]);
            }
        // A fixed draw is the sequential stream (7, which): the bits `bench iwae` drew before it used this class.
        var fixedDraw = Binarization.Fixed(grey.View, 5, 2);
        var random = new RandomStream(5, Philox.Stream(7, 2));
        for (int i = 0; i < grey.Data.Length; i++) Assert.Equal(random.NextFloat() < grey.Data[i] ? 1f : 0f, fixedDraw.Data[i]);
    }

    [Fact]
    public void DrawsHaveTheirIntensityAsMeanAndChangeEveryEpoch()
    {
        // 40,000 draws of each of 64 intensities (epochs x rows); the mean of each is within 6 standard errors of its
        // intensity (the seed is fixed, so this cannot flake); 0 and 1 are drawn exactly.
        const int d = 64, rows = 400, epochs = 100;
        var row = new float[d];
        for (int j = 0; j < d; j++) row[j] = j / (d - 1f);
        var sums = new double[d];
        var drawn = new float[d];
        var previous = new float[d];
        int changed = 0;
        for (int e = 0; e < epochs; e++)
        {
            ulong stream = Binarization.EpochStream(e);
            for (int i = 0; i < rows; i++)
            {
                Binarization.Row(row, drawn, 11, stream, i);
                for (int j = 0; j < d; j++) sums[j] += drawn[j];
                if (i == 0)
                {
                    if (e > 0 && !drawn.AsSpan().SequenceEqual(previous)) changed++;
                    drawn.CopyTo(previous, 0);
                }
            }
        }
        double n = (double)rows * epochs;
        for (int j = 0; j < d; j++)
        {
            double p = row[j], mean = sums[j] / n;
            if (j == 0 || j == d - 1) Assert.Equal(p, mean);
            else Assert.True(Math.Abs(mean - p) <= 6 * Math.Sqrt(p * (1 - p) / n), $"intensity {p}: mean of {n} draws {mean}");
        }
        Assert.Equal(epochs - 1, changed);   // row 0's 62 grey values are drawn anew every epoch
    }

    [Fact]
    public void OneAndTwoLevelModelsAreTheSameOnOneAndTwoThreadsAndDifferFromTheGreyRun()
    {
        var data = Grey(70, 12, 2);   // batches of 16: a short last batch
        foreach (var (upper, k) in new[] { (0, 1), (0, 3), (2, 1), (2, 2) })
        {
            IVariationalModel Train(bool dynamic, int threads) => upper == 0
                ? VaeTrainer.Train(data.View, null, Small(dynamic, upper, k), new CpuBackend(threads))
                : HierarchicalVaeTrainer.Train(data.View, null, Small(dynamic, upper, k), new CpuBackend(threads));
            var one = Parameters(Train(true, 1));
            Assert.Equal(one, Parameters(Train(true, 2)));
            Assert.NotEqual(one, Parameters(Train(false, 1)));
        }
    }

    [Fact]
    public void BinaryRowsTrainBitIdenticallyWithAndWithoutTheOption()
    {
        // u < 1 always and u < 0 never: a 0/1 data set is its own draw, so only the draws are new (the shuffle and noise streams are unchanged).
        var data = VaeTrainingTests.Prototypes(70, 12, 3);
        Assert.Equal(VaeTrainer.Train(data.View, null, Small(false), new CpuBackend(2)).Parameters,
            VaeTrainer.Train(data.View, null, Small(true), new CpuBackend(2)).Parameters);
        Assert.Equal(HierarchicalVaeTrainer.Train(data.View, null, Small(false, 2), new CpuBackend(2)).Parameters,
            HierarchicalVaeTrainer.Train(data.View, null, Small(true, 2), new CpuBackend(2)).Parameters);
    }

    [Fact]
    public void ValidationRowsAreOneFixedDrawAndTheSettingIsRecorded()
    {
        var data = Grey(64, 10, 4);
        var valid = Grey(20, 10, 5);
        var options = Small(true);
        var model = VaeModel.Create(10, options);
        model.Backend = new CpuBackend(1);
        var history = VaeTrainer.Fit(model, data.View, valid.View, options);
        var drawn = Binarization.Fixed(valid.View, options.Seed, Binarization.ValidationDraw);
        Assert.Equal(VaeTrainingTests.Mean(model.FreeEnergy(drawn.View)), history[^1].ValidationLoss, 4);
        Assert.Equal("true", model.Annotations["dynamic_binarization"]);
        Assert.False(VaeTrainer.Train(data.View, null, Small(false), new CpuBackend(1)).Annotations.ContainsKey("dynamic_binarization"));
    }

    [Fact]
    public void ValuesOutsideTheUnitIntervalAreRefusedWithRowAndColumn()
    {
        var data = Grey(20, 6, 6);
        data[3, 4] = 1.5f;
        var options = Small(true);
        options.Likelihood = VaeLikelihood.Gaussian;   // accepts any finite value, but dynamic binarisation does not
        var ex = Assert.Throws<DataFormatException>(() => VaeTrainer.Train(data.View, null, options));
        Assert.Contains("training value 1.5 is outside [0, 1]; dynamic binarisation", ex.Message);
        Assert.Equal((4L, 5), (ex.Row!.Value, ex.Column!.Value));
        var valid = Grey(5, 6, 7);
        valid[1, 0] = -0.25f;
        data[3, 4] = 0.5f;
        ex = Assert.Throws<DataFormatException>(() => HierarchicalVaeTrainer.Train(data.View, valid.View, Small(true, 2)));
        Assert.Contains("value -0.25 is outside [0, 1]", ex.Message);
        options.DynamicBinarization = false;
        data[3, 4] = 1.5f;
        VaeTrainer.Train(data.View, null, options);   // without the option the Gaussian VAE takes it
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 3)]
    [InlineData(true, 1)]
    [InlineData(true, 2)]
    public void DeviceLoopOnTheHostSeamDrawsTheCpuTrainersRows(bool twoLevel, int k)
    {
        var cpu = new CpuBackend(2);
        var data = Grey(70, 20, 8);
        var valid = Grey(15, 20, 9);
        VaeTrainingOptions Options(bool device, bool dynamic = true)
        {
            var o = Small(dynamic, twoLevel ? 3 : 0, k);
            o.DeviceArrays = device ? new HostDeviceArrays(cpu) : null;
            return o;
        }
        (float[] Parameters, IReadOnlyList<TrainingProgress> History) Train(VaeTrainingOptions o)
        {
            if (twoLevel)
            {
                var h = HierarchicalVae.Create(20, o);
                h.Backend = cpu;
                return (h.Parameters, HierarchicalVaeTrainer.Fit(h, data.View, valid.View, o));
            }
            var m = VaeModel.Create(20, o);
            m.Backend = cpu;
            return (m.Parameters, VaeTrainer.Fit(m, data.View, valid.View, o));
        }
        var a = Train(Options(false));
        var b = Train(Options(true));
        for (int i = 0; i < a.History.Count; i++) Assert.Equal(a.History[i].TrainingLoss, b.History[i].TrainingLoss, 1e-3);
        for (int i = 0; i < a.Parameters.Length; i++)
            Assert.True(Math.Abs(a.Parameters[i] - b.Parameters[i]) <= 1e-4f, $"theta[{i}]: device loop {b.Parameters[i]} vs CPU {a.Parameters[i]}");
        Assert.NotEqual(Train(Options(false, dynamic: false)).Parameters, b.Parameters);
    }

    [Fact]
    public void TrainFlagTrainsBothModelsAndIsRecorded()
    {
        using var dir = new TempDirectory();
        var grey = Grey(60, 6, 10);
        string data = dir.Write("grey.csv", string.Join("\n", Enumerable.Range(0, grey.Rows).Select(r =>
            string.Join(",", Enumerable.Range(0, grey.Columns).Select(c => grey[r, c].ToString("R", CultureInfo.InvariantCulture))))) + "\n");
        foreach (var (kind, latent) in new[] { ("vae", "3"), ("vae2", "3,2") })
        {
            string model = dir.File(kind + ".fem");
            var (code, stdout, stderr) = CliSmokeTests.Run("train", "--model", kind, "--data", data, "--latent", latent, "--layers", "8", "--epochs", "2", "--batch", "20",
                "--dynamic-binarize", "--out", model, "--json");
            Assert.True(code == 0, stderr);
            using (var doc = JsonDocument.Parse(stdout)) Assert.True(doc.RootElement.GetProperty("dynamicBinarization").GetBoolean());
            Assert.Equal("true", ModelFile.Load(model).Hyperparameters["dynamic_binarization"]);
        }
        var (rbmCode, _, rbmErr) = CliSmokeTests.Run("train", "--model", "rbm", "--data", data, "--dynamic-binarize", "--out", dir.File("r.fem"));
        Assert.Equal(2, rbmCode);
        Assert.Contains("--dynamic-binarize and --kl-warmup apply to --model vae2 and --model vae only", rbmErr);
    }

    [Fact]
    public void BenchIwaeDrawsTheTrainingImagesEveryEpoch()
    {
        using var dir = new TempDirectory();
        IdxFiles.WriteMnistDirectory(dir, 40, 8);
        var (code, stdout, stderr) = BenchIwaeCliTests.Bench(dir.Path, "--dynamic-binarize");
        Assert.True(code == 0, stderr);
        var result = JsonDocument.Parse(stdout).RootElement;
        Assert.StartsWith("training: a new Bernoulli draw per pixel intensity every epoch", result.GetProperty("binarisation").GetString());
        foreach (var r in result.GetProperty("runs").EnumerateArray()) Assert.True(r.GetProperty("testNll").GetDouble() > 0);
    }

    private static float[] Parameters(IVariationalModel model) => model switch
    {
        VaeModel v => v.Parameters,
        HierarchicalVae h => h.Parameters,
        _ => throw new ArgumentException("not a VAE", nameof(model)),
    };
}

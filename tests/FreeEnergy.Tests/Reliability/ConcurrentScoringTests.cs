using FreeEnergy.Compute.Cpu;
using FreeEnergy.Estimation;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Tests.Reliability;

using Vae = global::FreeEnergy.Models.Vae;

/// <summary>
/// One model scored from 8 threads at once (sharing the model and its backend) gives bit-for-bit the results of
/// serial scoring: FreeEnergy, Encode, Reconstruct, and the estimators (exact, TAP and AIS log Z; VAE ELBO/IWAE).
/// </summary>
public sealed class ConcurrentScoringTests
{
    private const int Threads = 8;

    private static byte[] Bits(float[] x) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan()).ToArray();

    private static byte[] Bits(double x) => BitConverter.GetBytes(x);

    private static List<byte[]> ScoreRbm(RbmBase rbm, Matrix data)
    {
        var ais = new AisOptions { Runs = 8, Betas = AisOptions.DefaultSchedule(20, 60, 120), Seed = 3 };
        var results = new List<byte[]>
        {
            Bits(rbm.FreeEnergy(data.View)),
            Bits(rbm.Encode(data.View).Data),
            Bits(rbm.Reconstruct(data.View).Data),
            Bits(ExactLogPartition.Compute(rbm)),
            Bits(AnnealedImportanceSampling.Estimate(rbm, data.View, ais).LogPartition),
        };
        if (rbm is BernoulliRbm b) results.Add(Bits(TapLogPartition.Estimate(b, data.View).LogPartition));
        return results;
    }

    private static List<byte[]> ScoreVae(Vae vae, Matrix data)
    {
        var estimates = vae.Estimate(data.View, 6, seed: 9);
        return
        [
            Bits(vae.FreeEnergy(data.View)),
            Bits(vae.Encode(data.View).Data),
            Bits(vae.Reconstruct(data.View).Data),
            Bits(vae.Score(data.View, VaeEstimator.Iwae, 6, seed: 9)),
            Bits(estimates.FreeEnergy), Bits(estimates.ImportanceWeighted), Bits(estimates.CumulantSecondOrder),
        ];
    }

    private static void AssertConcurrentEqualsSerial(Func<List<byte[]>> score)
    {
        var serial = score();
        var results = new List<byte[]>[Threads];
        using var barrier = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            barrier.SignalAndWait();
            results[t] = score();
        })).ToArray();
        foreach (var th in threads) th.Start();
        foreach (var th in threads) th.Join();
        for (int t = 0; t < Threads; t++)
            for (int i = 0; i < serial.Count; i++)
                Assert.True(serial[i].AsSpan().SequenceEqual(results[t][i]), $"thread {t}, result {i} differs from serial scoring");
    }

    [Fact]
    public void RbmsScoredFromEightThreadsEqualSerialScoring()
    {
        var data = ReliabilityFiles.Binary(300, 12, 21);
        var bernoulli = ReliabilityFiles.SmallRbm(12, 10, 4);
        bernoulli.Backend = new CpuBackend(2);
        AssertConcurrentEqualsSerial(() => ScoreRbm(bernoulli, data));
        var gaussian = Rbm.RbmTestData.RandomGaussian(12, 8, 0.3f, 6);
        AssertConcurrentEqualsSerial(() => ScoreRbm(gaussian, data));
    }

    [Fact]
    public void VaeScoredFromEightThreadsEqualsSerialScoring()
    {
        var data = ReliabilityFiles.Binary(300, ReliabilityFiles.Width, 22);
        var vae = ReliabilityFiles.SmallVae();
        vae.Backend = new CpuBackend(2);
        AssertConcurrentEqualsSerial(() => ScoreVae(vae, data));
    }
}

using FreeEnergy.Compute.Cpu;
using FreeEnergy.Estimation;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Rbm;

public class AisTests
{
    [Fact]
    public void AisLandsWithinTwoTenthsOfANatOnATrainedDigitModel()
    {
        var data = RbmTestData.DigitLike(600, 21);
        var backend = new CpuBackend(2);
        var model = RbmTrainer.TrainBernoulli(data.View, new RbmTrainingOptions
        {
            HiddenUnits = 20, Epochs = 4, BatchSize = 20, LearningRate = 0.1f, Seed = 5, Backend = backend,
        });
        double exact = ExactLogPartition.Compute(model, backend);
        var ais = AnnealedImportanceSampling.Estimate(model, data.View, new AisOptions
        {
            Runs = 64, Betas = AisOptions.DefaultSchedule(200, 800, 2000), Seed = 9, Backend = backend,
        });
        Assert.InRange(ais.LogPartition, exact - 0.2, exact + 0.2);
        Assert.True(ais.Lower <= ais.LogPartition && ais.LogPartition <= ais.Upper);
        // The model is not trivial: log Z is far from the base model's (otherwise the test could not fail).
        Assert.True(Math.Abs(exact - model.Hidden * Math.Log(2)) > 5);
    }

    [Fact]
    public void BernoulliAisGivesTheSameBitsOnOneAndTwoThreads()
    {
        // The 0/1 samples' products (sums of selected rows of the packed W) and the vectorised weight increments split
        // work by rows and panels only: the estimate does not depend on the thread count.
        var data = RbmTestData.DigitLike(200, 23);
        var model = RbmTrainer.TrainBernoulli(data.View, new RbmTrainingOptions
        {
            HiddenUnits = 40, Epochs = 2, BatchSize = 20, LearningRate = 0.1f, Seed = 6, Backend = new CpuBackend(1),
        });
        LogPartitionEstimate Run(int threads) => AnnealedImportanceSampling.Estimate(model, data.View, new AisOptions
        {
            Runs = 50, Betas = AisOptions.DefaultSchedule(50, 200, 400), Seed = 4, Backend = new CpuBackend(threads),
        });
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.LogPartition, two.LogPartition);
        Assert.Equal(one.Upper, two.Upper);
    }

    [Fact]
    public void GaussianAisAgreesWithExactEnumeration()
    {
        var model = RbmTestData.RandomGaussian(12, 8, 0.5f, 22);
        double exact = ExactLogPartition.Compute(model);
        var ais = AnnealedImportanceSampling.Estimate(model, null, new AisOptions { Runs = 64, Betas = AisOptions.DefaultSchedule(100, 300, 600), Seed = 3 });
        Assert.InRange(ais.LogPartition, exact - 0.1, exact + 0.1);
    }

    [Fact]
    public void ScheduleHasThePapersShape()
    {
        var b = AisOptions.DefaultSchedule();
        Assert.Equal(14501, b.Length);
        Assert.Equal(0.0, b[0]);
        Assert.Equal(1.0, b[^1]);
        Assert.Equal(0.5, b[500]);
        Assert.Equal(0.9, b[4500], 12);
    }
}

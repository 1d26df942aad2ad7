using System.Diagnostics;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.Training;

/// <summary>
/// The epoch loop every trainer runs, written once over <see cref="ITrainingStep"/>: per epoch the learning rate,
/// the shuffled row order (Philox stream of (seed, purpose, epoch)), the batches, the divergence checks (restoring the
/// parameters from the start of the failing epoch), the measurements, the progress report, early stopping through
/// <see cref="ValidationPatience"/>, and cancellation (the model keeps the last completed batch).
/// </summary>
internal static class EpochLoop
{
    /// <summary>How the loop runs: the step supplies the arithmetic, these the schedule.</summary>
    /// <param name="Rows">Training rows.</param>
    /// <param name="Epochs">Epochs to run at most.</param>
    /// <param name="LearningRateAt">The learning rate of an epoch.</param>
    /// <param name="Seed">The seed of the shuffle.</param>
    /// <param name="ShuffleStream">The Philox purpose of the shuffle (its epoch is the second key).</param>
    /// <param name="Shuffle">Shuffle the rows every epoch (otherwise they run in order).</param>
    /// <param name="Patience">Early-stopping patience in epochs; 0 never stops early.</param>
    /// <param name="RestoreBestAtEnd">Also end at the best parameters when the run was not stopped early (the VAE's rule).</param>
    public sealed record Settings(int Rows, int Epochs, Func<int, float> LearningRateAt, ulong Seed, ulong ShuffleStream, bool Shuffle, int Patience, bool RestoreBestAtEnd);

    /// <summary>What a run did: every epoch's report, and the 1-based epoch whose parameters the model holds.</summary>
    public sealed record Result(IReadOnlyList<TrainingProgress> History, bool StoppedEarly, int BestEpoch, double Seconds)
    {
        /// <summary>Epochs completed.</summary>
        public int EpochsRun => History.Count;
    }

    public static Result Run(ITrainingStep step, Settings s, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var order = new int[s.Rows];
        var history = new List<TrainingProgress>(s.Epochs);
        var patience = s.Patience > 0 ? new ValidationPatience(s.Patience) : null;
        bool stoppedEarly = false;
        int batch = step.BatchSize;
        step.Save(ParameterCopy.LastGood);
        patience?.Start(step);
        try
        {
            for (int epoch = 0; epoch < s.Epochs && !stoppedEarly; epoch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                float lr = s.LearningRateAt(epoch);
                for (int i = 0; i < order.Length; i++) order[i] = i;
                if (s.Shuffle) new RandomStream(s.Seed, Philox.Stream(s.ShuffleStream, (ulong)epoch)).Shuffle(order);
                step.BeginEpoch(epoch, order);
                for (int b = 0, start = 0; start < s.Rows; b++, start += batch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (step.Batch(epoch, b, start, Math.Min(batch, s.Rows - start), lr) is { } what) throw Diverged(step, epoch, lr, what);
                }
                if (step.EndEpoch(epoch) is { } diverged) throw Diverged(step, epoch, lr, diverged);
                var m = step.Measure(epoch);
                if (m.Diverged is { } measured) throw Diverged(step, epoch, lr, measured);
                step.Save(ParameterCopy.LastGood);
                var report = new TrainingProgress(epoch + 1, s.Epochs, m.TrainingLoss, m.ValidationLoss, m.FreeEnergyGap, clock.Elapsed.TotalSeconds);
                history.Add(report);
                progress?.Report(report);
                stoppedEarly = patience is not null && patience.ShouldStop(step, history.Count, m.ValidationLoss);
            }
        }
        catch (OperationCanceledException)
        {
            step.Finish();
            throw;
        }
        if (stoppedEarly || (patience is not null && s.RestoreBestAtEnd)) step.Restore(ParameterCopy.Best);
        step.Finish();
        return new Result(history, stoppedEarly, stoppedEarly ? patience!.BestEpoch : history.Count, clock.Elapsed.TotalSeconds);
    }

    private static TrainingDivergedException Diverged(ITrainingStep step, int epoch, float lr, string what)
    {
        step.Restore(ParameterCopy.LastGood);
        step.Finish();
        return step.Diverged(epoch, lr, what);
    }
}

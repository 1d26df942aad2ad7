namespace FreeEnergy.Training;

/// <summary>
/// One model family's training on one backend, as <see cref="EpochLoop"/> drives it: the batches of an epoch, the
/// divergence checks at the cadence the step states (every batch, or once per epoch on a device), the per-epoch
/// measurements and the copies of the parameters that divergence recovery and early stopping restore.
/// </summary>
internal interface ITrainingStep
{
    /// <summary>Rows in a full batch.</summary>
    int BatchSize { get; }

    /// <summary>Starts an epoch whose rows are taken in <paramref name="order"/> (the loop's shuffle).</summary>
    void BeginEpoch(int epoch, int[] order);

    /// <summary>Trains on rows order[start .. start + rows); returns what diverged (named in the message), or null.</summary>
    string? Batch(int epoch, int batchIndex, int start, int rows, float learningRate);

    /// <summary>The end-of-epoch divergence check: what diverged, or null.</summary>
    string? EndEpoch(int epoch);

    /// <summary>The epoch's measurements, on the parameters as they are now.</summary>
    EpochMeasures Measure(int epoch);

    /// <summary>Copies the current parameters into <paramref name="copy"/>.</summary>
    void Save(ParameterCopy copy);

    /// <summary>Makes <paramref name="copy"/> the current parameters.</summary>
    void Restore(ParameterCopy copy);

    /// <summary>Leaves the current parameters in the model (a device step downloads them).</summary>
    void Finish();

    /// <summary>The exception that reports divergence in <paramref name="epoch"/> (the parameters from its start are kept).</summary>
    TrainingDivergedException Diverged(int epoch, float learningRate, string what);
}

/// <summary>The parameter copies a step keeps for <see cref="EpochLoop"/>.</summary>
internal enum ParameterCopy
{
    /// <summary>The start of the current epoch: restored on divergence.</summary>
    LastGood,

    /// <summary>The lowest validation loss so far: restored by early stopping.</summary>
    Best,
}

/// <summary>One epoch's measurements; <paramref name="Diverged"/> names what stopped being finite, or is null.</summary>
internal readonly record struct EpochMeasures(double TrainingLoss, double ValidationLoss, double FreeEnergyGap, string? Diverged = null);

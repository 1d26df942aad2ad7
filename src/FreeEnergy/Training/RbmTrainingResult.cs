namespace FreeEnergy.Training;

/// <summary>What a training run did.</summary>
/// <param name="EpochsRun">Epochs completed.</param>
/// <param name="StoppedEarly">True when early stopping ended the run (the best parameters were restored).</param>
/// <param name="BestEpoch">1-based epoch whose parameters the model holds (the last one without early stopping).</param>
/// <param name="Seconds">Wall-clock seconds.</param>
/// <param name="LastProgress">The last progress report.</param>
public sealed record RbmTrainingResult(int EpochsRun, bool StoppedEarly, int BestEpoch, double Seconds, TrainingProgress? LastProgress);

namespace FreeEnergy.Training;

/// <summary>One progress report, sent after every epoch (and optionally within long epochs).</summary>
/// <param name="Epoch">1-based epoch just finished.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="TrainingLoss">RBM: mean squared reconstruction error; VAE: mean -ELBO (nats) on the training rows.</param>
/// <param name="ValidationLoss">The same measure on validation rows, or NaN when there are none.</param>
/// <param name="FreeEnergyGap">RBM: mean F(validation) - mean F(training subset) (overfitting monitor); NaN otherwise.</param>
/// <param name="Seconds">Wall-clock seconds since training started.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, double TrainingLoss, double ValidationLoss, double FreeEnergyGap, double Seconds);

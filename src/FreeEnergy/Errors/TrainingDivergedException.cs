namespace FreeEnergy;

/// <summary>Training produced NaN or infinite parameters or loss; the model was left at its last finite state.</summary>
public sealed class TrainingDivergedException : FreeEnergyException
{
    /// <summary>Creates the exception; <paramref name="epoch"/> is 1-based.</summary>
    public TrainingDivergedException(string message, int epoch) : base(message) { Epoch = epoch; }

    /// <summary>The epoch in which divergence was detected (1-based).</summary>
    public int Epoch { get; }
}

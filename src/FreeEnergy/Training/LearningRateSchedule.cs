namespace FreeEnergy.Training;

/// <summary>How the learning rate changes from epoch to epoch.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate every epoch.</summary>
    Constant = 0,

    /// <summary>Linear decay from the initial rate to <c>FinalLearningRateFraction</c> times it at the last epoch.</summary>
    LinearDecay = 1,

    /// <summary>Multiplied by <c>LearningRateDecay</c> after every epoch.</summary>
    Exponential = 2,
}

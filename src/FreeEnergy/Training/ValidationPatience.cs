namespace FreeEnergy.Training;

/// <summary>
/// Early stopping on a validation loss: has the step keep a copy of the parameters at the lowest loss seen so far
/// (<see cref="ParameterCopy.Best"/>, at first the starting parameters) and says when <c>patience</c> epochs in a row
/// have not improved on it. Used by <see cref="EpochLoop"/>.
/// </summary>
internal sealed class ValidationPatience(int patience)
{
    private double _bestLoss = double.PositiveInfinity;

    /// <summary>The 1-based epoch of the best copy (0: the starting parameters).</summary>
    public int BestEpoch { get; private set; }

    /// <summary>Keeps the starting parameters as the best so far.</summary>
    public void Start(ITrainingStep step) => step.Save(ParameterCopy.Best);

    /// <summary>Records the loss after <paramref name="epochsRun"/> epochs (keeping the parameters when it is the lowest); true when training should stop.</summary>
    public bool ShouldStop(ITrainingStep step, int epochsRun, double loss)
    {
        if (loss < _bestLoss)
        {
            _bestLoss = loss;
            BestEpoch = epochsRun;
            step.Save(ParameterCopy.Best);
            return false;
        }
        return epochsRun - BestEpoch >= patience;
    }
}

namespace FreeEnergy.Training;

/// <summary>
/// Early stopping on a validation loss: keeps a copy of the parameters at the lowest loss seen so far and says when
/// <c>patience</c> epochs in a row have not improved on it. Used by the CPU and the device-resident VAE trainers.
/// </summary>
internal sealed class ValidationPatience
{
    private readonly int _patience;
    private float[]? _best;
    private double _bestLoss = double.PositiveInfinity;
    private int _sinceBest;

    public ValidationPatience(int patience) => _patience = patience;

    /// <summary>Records one epoch's validation loss and parameters; true when training should stop.</summary>
    public bool ShouldStop(double loss, float[] parameters)
    {
        if (loss < _bestLoss)
        {
            _bestLoss = loss;
            _best ??= new float[parameters.Length];
            Array.Copy(parameters, _best, parameters.Length);
            _sinceBest = 0;
            return false;
        }
        return ++_sinceBest >= _patience;
    }

    /// <summary>Copies the best parameters seen back into <paramref name="parameters"/> (nothing when none was recorded).</summary>
    public void RestoreBest(float[] parameters)
    {
        if (_best is not null) Array.Copy(_best, parameters, parameters.Length);
    }
}

using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// The CPU training step of a <see cref="Vae"/> (<see cref="VaeTrainingStep{TWorkspace}"/>): the reparameterisation
/// noise of row r from Philox index r * Z + j, the forward and backward passes of <see cref="VaeWorkspace"/>. With
/// k = <see cref="VaeTrainingOptions.ImportanceSamples"/> above 1 each row is held k times with draws (row k + s) Z + j and
/// the step follows the IWAE bound; k = 1 is the ELBO with its closed-form KL term, exactly as without the option.
/// </summary>
internal sealed class VaeTrainingSession : VaeTrainingStep<VaeWorkspace>
{
    private readonly float _invBeta;

    public VaeTrainingSession(Vae model, MatrixView training, MatrixView? validation, VaeTrainingOptions options)
        : base(model, model.Layout, model.Parameters, training, validation, options,
            capacity => new VaeWorkspace(model.Layout, model.Parameters, model.Backend, capacity, training: true) { PriorScale = model.PriorScale })
    {
        _invBeta = 1f / model.Beta;
    }

    /// <summary>The ELBO with the KL term weighted (warm-up) / beta, or the k-sample bound.</summary>
    protected override double ForwardBackward(int rows)
    {
        var ws = Workspace;
        double batchLoss = 0;
        if (Samples == 1)
        {
            ws.ForwardBackward(Theta, rows, KlWarmup * _invBeta);
            for (int r = 0; r < rows; r++) batchLoss += ws.Reconstruction[r] + _invBeta * ws.Kl[r];
        }
        else
        {
            ws.ForwardBackwardImportanceWeighted(Theta, rows, Samples, KlWarmup * _invBeta);
            for (int r = 0; r < rows; r++) batchLoss += ws.ImportanceBound[r];
        }
        return batchLoss;
    }
}

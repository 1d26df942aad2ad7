using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// The CPU training step of a <see cref="HierarchicalVae"/> (<see cref="VaeTrainingStep{TWorkspace}"/>): the draws of
/// pair p from Philox index p (Z1 + Z2) ..., the forward and backward passes of the ELBO (k = 1) or of the k-sample
/// bound (<see cref="HierarchicalVaeWorkspace"/>), each level's term weighted (warm-up) / its beta.
/// </summary>
internal sealed class HierarchicalVaeTrainingSession : VaeTrainingStep<HierarchicalVaeWorkspace>
{
    private readonly float _invBeta1, _invBeta2;

    public HierarchicalVaeTrainingSession(HierarchicalVae model, MatrixView training, MatrixView? validation, VaeTrainingOptions options)
        : base(model, model.Layout, model.Parameters, training, validation, options,
            capacity => new HierarchicalVaeWorkspace(model.Layout, model.Parameters, model.Backend, capacity, training: true))
    {
        _invBeta1 = 1f / model.Beta;
        _invBeta2 = 1f / model.UpperBeta;
    }

    /// <inheritdoc />
    protected override double ForwardBackward(int rows)
    {
        Workspace.ForwardBackward(Theta, rows, Samples, KlWarmup * _invBeta1, KlWarmup * _invBeta2);
        double batchLoss = 0;
        for (int r = 0; r < rows; r++) batchLoss += Workspace.Bound[r];
        return batchLoss;
    }
}

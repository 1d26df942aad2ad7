using FreeEnergy.Compute;
using FreeEnergy.Estimation;
using FreeEnergy.Tensors;

namespace FreeEnergy.Models;

/// <summary>
/// A model scored by variational estimates of -log p(x) from draws of its approximate posterior: the one-level
/// <see cref="Vae"/> and the two-level <see cref="HierarchicalVae"/>.
/// </summary>
public interface IVariationalModel : IFreeEnergyModel
{
    /// <summary>K, the number of fixed draws of the deterministic <see cref="IFreeEnergyModel.FreeEnergy"/>.</summary>
    int ScoringSamples { get; }

    /// <summary>The compute backend used by the model's operations.</summary>
    IComputeBackend Backend { get; set; }

    /// <summary>All estimators of -log p(x) per row from the same <paramref name="samples"/> fresh draws (Philox stream of <paramref name="seed"/> and the row index).</summary>
    VaeEstimates Estimate(MatrixView data, int samples, ulong seed = 0);

    /// <summary>One estimator's column of <see cref="Estimate"/>.</summary>
    float[] Score(MatrixView data, VaeEstimator estimator, int samples, ulong seed = 0);
}

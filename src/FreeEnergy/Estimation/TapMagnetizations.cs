using FreeEnergy.Models;

namespace FreeEnergy.Estimation;

/// <summary>
/// The TAP magnetisations of a batch of rows (e.g. persistent chains or fixed-point starts): <see cref="Visible"/>
/// holds m^v, <see cref="Rows"/> x visible, and <see cref="Hidden"/> holds m^h, <see cref="Rows"/> x hidden, both
/// row-major with values in [0, 1]. The arrays are used as given (<see cref="TapExpansion.Iterate"/> updates them in
/// place) and may be longer than the rows need.
/// </summary>
/// <param name="Visible">m^v, at least Rows x visible values.</param>
/// <param name="Hidden">m^h, at least Rows x hidden values.</param>
/// <param name="Rows">Number of rows.</param>
public sealed record TapMagnetizations(float[] Visible, float[] Hidden, int Rows)
{
    /// <summary>Zero magnetisations of <paramref name="rows"/> rows for <paramref name="model"/>.</summary>
    public static TapMagnetizations For(BernoulliRbm model, int rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        return new TapMagnetizations(new float[rows * model.Visible], new float[rows * model.Hidden], rows);
    }
}

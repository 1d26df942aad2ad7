namespace FreeEnergy.Estimation;

/// <summary>
/// Settings of the Thouless-Anderson-Palmer (TAP / EMF) expansion of a Bernoulli RBM's Gibbs free energy
/// (Gabrie, Tramel and Krzakala 2015). The defaults are the EMF-RBM authors' training settings.
/// </summary>
public sealed class TapSettings
{
    private int _order = 2;
    private int _iterations = 3;
    private float _damping = 0.5f;

    /// <summary>
    /// Order of the expansion in the couplings: 2 (second order, the TAP free energy; default) or 3
    /// (adds the third-order term 2/3 sum_ij W_ij^3 c(m^v_i)(1/2 - m^v_i) c(m^h_j)(1/2 - m^h_j)).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not 2 or 3.</exception>
    public int Order
    {
        get => _order;
        set
        {
            if (value is not (2 or 3))
                throw new ArgumentOutOfRangeException(nameof(Order), value, "The TAP expansion order must be 2 or 3.");
            _order = value;
        }
    }

    /// <summary>
    /// Number of damped fixed-point iterations (one hidden then one visible update each) per call of
    /// <see cref="TapExpansion.Iterate"/>; default 3. At least 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Iterations
    {
        get => _iterations;
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(Iterations), value, "The number of TAP iterations must be at least 1.");
            _iterations = value;
        }
    }

    /// <summary>
    /// Damping of the fixed-point iteration: m &lt;- Damping * m_old + (1 - Damping) * update; default 0.5.
    /// Must lie in [0, 1) (0 means no damping).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1) or not a number.</exception>
    public float Damping
    {
        get => _damping;
        set
        {
            if (!(value >= 0f && value < 1f))
                throw new ArgumentOutOfRangeException(nameof(Damping), value, "The TAP damping must lie in [0, 1).");
            _damping = value;
        }
    }
}

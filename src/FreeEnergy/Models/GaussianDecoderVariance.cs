using System.Numerics.Tensors;

namespace FreeEnergy.Models;

/// <summary>The Gaussian decoder's per-dimension variance as the likelihood kernels read it: e^-lv and sum lv, refreshed from the parameters.</summary>
internal sealed class GaussianDecoderVariance
{
    private readonly int _offset;

    /// <param name="offset">Where the log variance vector [<paramref name="input"/>] starts in the parameters (-1: Bernoulli, nothing to hold).</param>
    /// <param name="input">D.</param>
    public GaussianDecoderVariance(int offset, int input)
    {
        _offset = offset;
        InverseVariance = new float[input];
    }

    /// <summary>e^-lv_i.</summary>
    public float[] InverseVariance { get; }

    /// <summary>sum_i lv_i.</summary>
    public double LogVarianceSum { get; private set; }

    /// <summary>Reads lv from <paramref name="theta"/> (nothing for a Bernoulli decoder).</summary>
    public void Prepare(float[] theta)
    {
        if (_offset < 0) return;
        var lv = theta.AsSpan(_offset, InverseVariance.Length);
        TensorPrimitives.Negate(lv, InverseVariance);
        TensorPrimitives.Exp(InverseVariance, InverseVariance);
        double s = 0;
        foreach (var v in lv) s += v;
        LogVarianceSum = s;
    }
}

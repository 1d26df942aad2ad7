using System.Numerics.Tensors;
using FreeEnergy.Estimation;

namespace FreeEnergy.Compute.Device;

/// <summary>The TAP operations on the host seam, in the CPU engine's order and rounding.</summary>
internal sealed partial class HostDeviceArrays : ITapDeviceOps
{
    /// <inheritdoc />
    public void TapPowers(DeviceSlice weights, DeviceSlice square, DeviceSlice? cube)
    {
        var w = S(weights);
        var s2 = S(square.Need(w.Length, nameof(square)))[..w.Length];
        TensorPrimitives.Multiply(w, w, s2);
        if (cube is { } c) TensorPrimitives.Multiply(s2, w, S(c.Need(w.Length, nameof(cube)))[..w.Length]);
    }

    /// <inheritdoc />
    public void TapMoments(DeviceSlice magnetization, DeviceSlice variance, DeviceSlice? skewness)
    {
        var m = S(magnetization);
        var c = S(variance.Need(m.Length, nameof(variance)))[..m.Length];
        TapExpansion.Variance(m, c);
        if (skewness is { } q) TapExpansion.Skewness(m, c, S(q.Need(m.Length, nameof(skewness)))[..m.Length]);
    }

    /// <inheritdoc />
    public void TapUpdate(DeviceSlice field, DeviceSlice second, DeviceSlice? third, DeviceSlice bias, DeviceSlice magnetization, int rows, int columns, float damping)
    {
        long n = (long)rows * columns;
        var f = S(field.Need(n, nameof(field))); var s2 = S(second.Need(n, nameof(second)));
        var s3 = third is { } t ? S(t.Need(n, nameof(third))) : default;
        var b = S(bias.Need(columns, nameof(bias))); var m = S(magnetization.Need(n, nameof(magnetization)));
        bool order3 = third is not null;
        float keep = damping, take = 1f - damping, eps = TapExpansion.Epsilon;
        // The CPU loop's order and rounding (TapWorkspace.Update).
        var x = new float[columns];
        for (int r = 0; r < rows; r++)
        {
            int o = r * columns;
            for (int j = 0; j < columns; j++)
            {
                float mj = m[o + j];
                x[j] = f[o + j] + (b[j] + (0.5f - mj) * s2[o + j]);
                if (order3) x[j] += (1f / 3f - 2f * (mj - mj * mj)) * s3[o + j];
            }
            TensorPrimitives.Sigmoid(x, x);
            for (int j = 0; j < columns; j++)
                m[o + j] = Math.Clamp(keep * m[o + j] + take * x[j], eps, 1f - eps);
        }
    }

    /// <inheritdoc />
    public void TapWeightVelocity(DeviceSlice weights, DeviceSlice first, DeviceSlice second, DeviceSlice? third, DeviceSlice velocity, float scale)
    {
        var w = S(weights); int n = w.Length;
        var g1 = S(first.Need(n, nameof(first))); var g2 = S(second.Need(n, nameof(second)));
        var g3 = third is { } t ? S(t.Need(n, nameof(third))) : default;
        var v = S(velocity.Need(n, nameof(velocity)));
        bool order3 = third is not null;
        for (int i = 0; i < n; i++)
        {
            float g = g2[i] * w[i] + g1[i];
            if (order3) g += w[i] * w[i] * g3[i];
            v[i] += scale * g;
        }
    }
}

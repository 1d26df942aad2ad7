using FreeEnergy.Compute.Cpu;
using FreeEnergy.Estimation;

namespace FreeEnergy.Compute.Device;

/// <summary>The AIS operations on the host seam, in the CPU engine's order and rounding.</summary>
internal sealed partial class HostDeviceArrays : IAisDeviceOps
{
    /// <inheritdoc />
    public void TemperedSigmoid(DeviceSlice x, float beta, DeviceSlice baseBias, DeviceSlice difference, DeviceSlice y, int rows, int columns)
    {
        var xs = S(x.Need((long)rows * columns, nameof(x))); var ys = S(y.Need((long)rows * columns, nameof(y)));
        var a = S(baseBias.Need(columns, nameof(baseBias))); var dif = S(difference.Need(columns, nameof(difference)));
        for (int i = 0; i < rows * columns; i++)
        {
            int c = i % columns;
            ys[i] = Activations.Sigmoid(beta * xs[i] + a[c] + beta * dif[c]);
        }
    }

    /// <inheritdoc />
    public void AisLogWeights(DeviceSlice preActivations, DeviceSlice visible, DeviceSlice difference, DeviceSlice logWeights, DeviceSlice compensation,
        int rows, int visibleCount, int hiddenCount, double betaPrevious, double betaNow)
    {
        var pre = S(preActivations.Need((long)rows * hiddenCount, nameof(preActivations))); var v = S(visible.Need((long)rows * visibleCount, nameof(visible)));
        var dif = S(difference.Need(visibleCount, nameof(difference))); var lw = S(logWeights.Need(rows, nameof(logWeights))); var comp = S(compensation.Need(rows, nameof(compensation)));
        for (int r = 0; r < rows; r++)
        {
            double linear = 0;
            for (int i = 0; i < visibleCount; i++) linear += (double)dif[i] * v[r * visibleCount + i];
            double sum = (betaNow - betaPrevious) * linear;
            for (int j = 0; j < hiddenCount; j++)
            {
                double p = pre[r * hiddenCount + j];
                sum += Activations.Softplus(betaNow * p) - Activations.Softplus(betaPrevious * p);
            }
            float y = (float)sum - comp[r];
            float t = lw[r] + y;
            comp[r] = (t - lw[r]) - y;
            lw[r] = t;
        }
    }
}

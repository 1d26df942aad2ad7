using System.Numerics.Tensors;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;

namespace FreeEnergy.Compute.Device;

/// <summary>The RBM operations on the host seam, in the CPU engine's order and rounding.</summary>
internal sealed partial class HostDeviceArrays : IRbmDeviceOps
{
    /// <inheritdoc />
    public void GaussianVisible(DeviceSlice wh, DeviceSlice visibleBias, DeviceSlice sigma, DeviceSlice output, int rows, int columns, ulong seed, ulong stream, ulong startIndex)
    {
        // GaussianRbm.VisibleMean, SampleVisible (temperature 1) and ScaleVisible, in their order and rounding.
        var m = S(wh.Need((long)rows * columns, nameof(wh))); var o = S(output.Need((long)rows * columns, nameof(output)));
        var s = S(sigma.Need(columns, nameof(sigma)))[..columns]; var a = S(visibleBias.Need(columns, nameof(visibleBias)))[..columns];
        var mean = new float[columns];
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.FusedMultiplyAdd(m.Slice(r * columns, columns), s, a, mean);
            var dst = o.Slice(r * columns, columns);
            Philox.FillGaussian(seed, stream, startIndex + (ulong)r * (ulong)columns, dst);
            for (int i = 0; i < columns; i++) dst[i] = mean[i] + 1f * s[i] * dst[i];
            TensorPrimitives.Divide(dst, s, dst);
        }
    }

    /// <inheritdoc />
    public void GaussianRbmFreeEnergyRows(DeviceSlice visible, DeviceSlice visibleBias, DeviceSlice sigma, DeviceSlice preActivations, DeviceSlice hiddenBias, DeviceSlice result, int rows, int visibleCount, int hiddenCount)
    {
        var v = S(visible.Need((long)rows * visibleCount, nameof(visible))); var a = S(visibleBias.Need(visibleCount, nameof(visibleBias)));
        var s = S(sigma.Need(visibleCount, nameof(sigma))); var pre = S(preActivations.Need((long)rows * hiddenCount, nameof(preActivations)));
        var c = S(hiddenBias.Need(hiddenCount, nameof(hiddenBias))); var f = S(result.Need(rows, nameof(result)));
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int i = 0; i < visibleCount; i++)
            {
                double d = ((double)v[r * visibleCount + i] - a[i]) / s[i];
                sum += 0.5 * d * d;
            }
            for (int j = 0; j < hiddenCount; j++) sum -= Activations.Softplus((double)pre[r * hiddenCount + j] + c[j]);
            f[r] = (float)sum;
        }
    }

    /// <inheritdoc />
    public void WeightStep(DeviceSlice weights, DeviceSlice velocity, float l2, float l1)
    {
        var w = Host(weights); var vel = Host(velocity.Need(weights.Length, nameof(velocity)));
        int wo = weights.Offset, vo = velocity.Offset, n = weights.Length;
        // RbmTrainingSession.UpdateWeights with the gradient already in the velocity.
        Backend.For(n, 32768, (s, e) =>
        {
            var wr = w.AsSpan(wo + s, e - s);
            var vr = vel.AsSpan(vo + s, e - s);
            if (l2 != 0f) TensorPrimitives.MultiplyAdd(wr, -l2, vr, vr);
            if (l1 != 0f)
                for (int i = 0; i < wr.Length; i++) vr[i] -= l1 * MathF.Sign(wr[i]);
            TensorPrimitives.Add(wr, vr, wr);
        });
    }

    /// <inheritdoc />
    public void RbmFreeEnergyRows(DeviceSlice visible, DeviceSlice visibleBias, DeviceSlice preActivations, DeviceSlice hiddenBias, DeviceSlice result, int rows, int visibleCount, int hiddenCount)
    {
        var v = S(visible.Need((long)rows * visibleCount, nameof(visible)));
        var b = S(visibleBias.Need(visibleCount, nameof(visibleBias)));
        var pre = S(preActivations.Need((long)rows * hiddenCount, nameof(preActivations)));
        var c = S(hiddenBias.Need(hiddenCount, nameof(hiddenBias)));
        var f = S(result.Need(rows, nameof(result)));
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            var vr = v.Slice(r * visibleCount, visibleCount);
            for (int i = 0; i < visibleCount; i++) sum -= (double)vr[i] * b[i];
            var pr = pre.Slice(r * hiddenCount, hiddenCount);
            for (int j = 0; j < hiddenCount; j++) sum -= Activations.Softplus((double)pr[j] + c[j]);
            f[r] = (float)sum;
        }
    }
}

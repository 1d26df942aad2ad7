using System.Numerics.Tensors;
using FreeEnergy.Models;

namespace FreeEnergy.Compute.Device;

/// <summary>The VAE's operations on the host seam: the CPU engine's row kernels (<see cref="VaeKernels"/>) and fused GEMM.</summary>
internal sealed partial class HostDeviceArrays : IVaeDeviceOps
{
    /// <summary>Rows per parallel part for rows of <paramref name="width"/> values: at least ~16K values, so narrow rows stay on one thread.</summary>
    private static int Grain(int width) => Math.Max(1, 16384 / Math.Max(1, width));

    /// <inheritdoc />
    public void Dense(DeviceSlice input, DeviceSlice weight, DeviceSlice bias, int rows, int inputs, int outputs, Activation activation, DeviceSlice output)
    {
        var x = S(input.Need((long)rows * inputs, nameof(input)))[..(rows * inputs)];
        var w = S(weight.Need((long)inputs * outputs, nameof(weight)));
        var b = S(bias.Need(outputs, nameof(bias)))[..outputs];
        var y = S(output.Need((long)rows * outputs, nameof(output)));
        // One pass where the backend has it: the bias and activation are applied to each block of the product while it is in cache.
        if (Backend.TryGemmBias(rows, outputs, inputs, x, w, b, activation, y)) return;
        Backend.Gemm(Transpose.None, Transpose.None, rows, outputs, inputs, 1f, x, inputs, w, outputs, 0f, y, outputs);
        _rows = new RowJob(Host(output), output.Offset, Host(bias), bias.Offset, outputs, activation);
        Backend.For(rows, Grain(outputs), _biasActivationBody ??= BiasActivationRows);
    }

    /// <inheritdoc />
    public void ActivationBackward(DeviceSlice grad, DeviceSlice post, int rows, int columns, Activation activation)
    {
        grad.Need((long)rows * columns, nameof(grad)); post.Need((long)rows * columns, nameof(post));
        _rows = new RowJob(Host(grad), grad.Offset, Host(post), post.Offset, columns, activation);
        Backend.For(rows, Grain(columns), _activationBackwardBody ??= ActivationBackwardRows);
    }

    // The row-parallel operations read their arguments from here through delegates made once, so a training step allocates nothing.
    private readonly record struct RowJob(float[] Target, int TargetOffset, float[] Other, int OtherOffset, int Columns, Activation Activation);

    private RowJob _rows;
    private Action<int, int>? _biasActivationBody, _activationBackwardBody;

    private void BiasActivationRows(int start, int end)
    {
        var j = _rows;
        var bias = j.Other.AsSpan(j.OtherOffset, j.Columns);
        for (int r = start; r < end; r++) VaeKernels.BiasActivation(j.Target.AsSpan(j.TargetOffset + r * j.Columns, j.Columns), bias, j.Activation);
    }

    private void ActivationBackwardRows(int start, int end)
    {
        var j = _rows;
        for (int r = start; r < end; r++)
            VaeKernels.ActivationBackward(j.Target.AsSpan(j.TargetOffset + r * j.Columns, j.Columns), j.Other.AsSpan(j.OtherOffset + r * j.Columns, j.Columns), j.Activation);
    }

    /// <inheritdoc />
    public void Reparameterize(DeviceSlice head, DeviceSlice eps, DeviceSlice z, int rows, int latent)
    {
        var hd = S(head.Need((long)rows * 2 * latent, nameof(head))); var e = S(eps.Need((long)rows * latent, nameof(eps))); var zs = S(z.Need((long)rows * latent, nameof(z)));
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < latent; j++)
                zs[r * latent + j] = hd[r * 2 * latent + j] + MathF.Exp(0.5f * hd[r * 2 * latent + latent + j]) * e[r * latent + j];
    }

    /// <inheritdoc />
    public void BernoulliLogitLossRows(DeviceSlice x, DeviceSlice logits, DeviceSlice result, int rows, int columns, float scale)
    {
        var xs = S(x.Need((long)rows * columns, nameof(x))); var l = S(logits.Need((long)rows * columns, nameof(logits))); var f = S(result.Need(rows, nameof(result)));
        for (int r = 0; r < rows; r++) f[r] = (float)VaeKernels.BernoulliRow(xs.Slice(r * columns, columns), l.Slice(r * columns, columns), scale);
    }

    /// <inheritdoc />
    public void KlRows(DeviceSlice head, DeviceSlice result, int rows, int latent, float priorScale)
    {
        var hd = S(head.Need((long)rows * 2 * latent, nameof(head))); var f = S(result.Need(rows, nameof(result)));
        for (int r = 0; r < rows; r++)
        {
            var h = hd.Slice(r * 2 * latent, 2 * latent);
            f[r] = (float)VaeKernels.Kl(h[..latent], h[latent..], priorScale);
        }
    }

    /// <inheritdoc />
    public void HeadBackward(DeviceSlice head, DeviceSlice eps, DeviceSlice dz, DeviceSlice headGrad, int rows, int latent, float klWeight, float priorScale)
    {
        var hd = S(head.Need((long)rows * 2 * latent, nameof(head))); var e = S(eps.Need((long)rows * latent, nameof(eps)));
        var g = S(dz.Need((long)rows * latent, nameof(dz))); var hg = S(headGrad.Need((long)rows * 2 * latent, nameof(headGrad)));
        for (int r = 0; r < rows; r++)
            VaeKernels.HeadBackward(hd.Slice(r * 2 * latent, 2 * latent), e.Slice(r * latent, latent), g.Slice(r * latent, latent), hg.Slice(r * 2 * latent, 2 * latent), klWeight, priorScale);
    }

    /// <inheritdoc />
    public void ImportanceHeadBackward(DeviceSlice head, DeviceSlice eps, DeviceSlice z, DeviceSlice dz, DeviceSlice weights, DeviceSlice headGrad, int rows, int latent, float priorScale)
    {
        var hd = S(head.Need((long)rows * 2 * latent, nameof(head))); var e = S(eps.Need((long)rows * latent, nameof(eps)));
        var zs = S(z.Need((long)rows * latent, nameof(z))); var g = S(dz.Need((long)rows * latent, nameof(dz)));
        var w = S(weights.Need(rows, nameof(weights))); var hg = S(headGrad.Need((long)rows * 2 * latent, nameof(headGrad)));
        for (int r = 0; r < rows; r++)
            VaeKernels.ImportanceHeadBackward(hd.Slice(r * 2 * latent, 2 * latent), e.Slice(r * latent, latent), zs.Slice(r * latent, latent),
                g.Slice(r * latent, latent), hg.Slice(r * 2 * latent, 2 * latent), w[r], priorScale);
    }

    /// <inheritdoc />
    public void ImportanceWeights(DeviceSlice reconstruction, DeviceSlice ratio1, float weight1, DeviceSlice ratio2, float weight2, int rows, int samples,
        float batchScale, float latentWeight, DeviceSlice pairScale, DeviceSlice pairWeight, DeviceSlice bound)
    {
        int pairs = rows * samples;
        var a = S(reconstruction.Need(pairs, nameof(reconstruction))); var b = S(ratio1.Need(pairs, nameof(ratio1))); var c = S(ratio2.Need(pairs, nameof(ratio2)));
        var scale = S(pairScale.Need(pairs, nameof(pairScale))); var weight = S(pairWeight.Need(pairs, nameof(pairWeight))); var f = S(bound.Need(rows, nameof(bound)));
        for (int r = 0; r < rows; r++)
        {
            int first = r * samples;
            double LogWeight(Span<float> a, Span<float> b, Span<float> c, int p) => -(a[p] + (double)weight1 * b[p] + (double)weight2 * c[p]);
            double max = LogWeight(a, b, c, first);
            for (int s = 1; s < samples; s++) max = Math.Max(max, LogWeight(a, b, c, first + s));
            double sum = 0;
            for (int s = 0; s < samples; s++) sum += Math.Exp(LogWeight(a, b, c, first + s) - max);
            f[r] = (float)-(max + Math.Log(sum / samples));
            for (int s = 0; s < samples; s++)
            {
                float w = (float)(Math.Exp(LogWeight(a, b, c, first + s) - max) / sum) * batchScale;
                scale[first + s] = w;
                weight[first + s] = latentWeight * w;
            }
        }
    }

    /// <inheritdoc />
    public void ScaleRows(DeviceSlice matrix, DeviceSlice scale, int rows, int columns)
    {
        var m = S(matrix.Need((long)rows * columns, nameof(matrix))); var s = S(scale.Need(rows, nameof(scale)));
        for (int r = 0; r < rows; r++) TensorPrimitives.Multiply(m.Slice(r * columns, columns), s[r], m.Slice(r * columns, columns));
    }

    /// <inheritdoc />
    public void ReparameterizePairs(DeviceSlice head, DeviceSlice noise, DeviceSlice eps, DeviceSlice z, int pairs, int samples, int latent)
    {
        int rows = (pairs + samples - 1) / samples;
        var hd = S(head.Need((long)rows * 2 * latent, nameof(head))); var table = S(noise.Need((long)samples * latent, nameof(noise)));
        var e = S(eps.Need((long)pairs * latent, nameof(eps))); var zs = S(z.Need((long)pairs * latent, nameof(z)));
        for (int p = 0; p < pairs; p++)
        {
            int r = p / samples, s = p % samples;
            var h = hd.Slice(r * 2 * latent, 2 * latent);
            for (int j = 0; j < latent; j++)
            {
                float v = table[s * latent + j];
                e[p * latent + j] = v;
                zs[p * latent + j] = h[j] + MathF.Exp(0.5f * h[latent + j]) * v;
            }
        }
    }

    /// <inheritdoc />
    public void LogRatioPairs(DeviceSlice z, DeviceSlice head, DeviceSlice eps, DeviceSlice result, int pairs, int samples, int latent, float priorScale)
    {
        int rows = (pairs + samples - 1) / samples;
        var hd = S(head.Need((long)rows * 2 * latent, nameof(head))); var zs = S(z.Need((long)pairs * latent, nameof(z)));
        var e = S(eps.Need((long)pairs * latent, nameof(eps))); var f = S(result.Need(pairs, nameof(result)));
        for (int p = 0; p < pairs; p++)
            f[p] = (float)VaeKernels.LogRatio(zs.Slice(p * latent, latent), hd.Slice(p / samples * 2 * latent + latent, latent), e.Slice(p * latent, latent), priorScale);
    }

}

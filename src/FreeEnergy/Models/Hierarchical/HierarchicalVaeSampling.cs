using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;
using FreeEnergy.Tensors;

namespace FreeEnergy.Models;

public sealed partial class HierarchicalVae
{
    /// <summary>
    /// <paramref name="count"/> ancestral samples decoded to means: z2 ~ N(0, temperature^2 I), then z1 = the mean of
    /// p(z1|z2) (or, with <paramref name="drawLower"/>, z1 = m + temperature e^(v/2) eps1 drawn from p(z1|z2) with its
    /// spread scaled by the temperature), then the decoder's mean at z1 (probabilities for Bernoulli, means for Gaussian).
    /// The draws come from Philox (<paramref name="seed"/>; z2 and eps1 on their own streams, all rows at once), so the
    /// samples do not depend on the chunking or the thread count.
    /// </summary>
    public Matrix Sample(int count, float temperature = 1f, ulong seed = 0, bool drawLower = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!(temperature >= 0) || !float.IsFinite(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), "The temperature must be finite and non-negative.");
        int z1 = Layout.Latent1, z2 = Layout.Latent2;
        var top = new float[count * z2];
        Philox.FillGaussian(seed, Philox.Stream(Vae.PurposeSample), 0, top);
        for (int i = 0; i < top.Length; i++) top[i] *= temperature;
        var eps = new float[drawLower ? count * z1 : 0];
        Philox.FillGaussian(seed, Philox.Stream(Vae.PurposeSample, 1), 0, eps);

        var lower = new Matrix(count, z1);
        int capacity = EncoderDecoderWorkspace.ChunkCapacity(count);
        var device = new HostDeviceArrays(Backend);
        var prior = new Mlp(device, Layout.Prior, Layout.PriorHead, Layout.Activation, HostDeviceArrays.Wrap(Parameters).Slice(0, Parameters.Length), null, capacity, []);
        var input = HostDeviceArrays.Wrap(new float[capacity * z2]);
        var head = HostDeviceArrays.Wrap(new float[capacity * 2 * z1]);
        float[] inputData = HostDeviceArrays.Data(input), headData = HostDeviceArrays.Data(head);
        for (int start = 0; start < count; start += capacity)
        {
            int rows = Math.Min(capacity, count - start);
            top.AsSpan(start * z2, rows * z2).CopyTo(inputData);
            prior.Forward(input.Slice(0, rows * z2), rows, head.Slice(0, rows * 2 * z1));
            for (int r = 0; r < rows; r++)
            {
                var dst = lower.Data.AsSpan((start + r) * z1, z1);
                headData.AsSpan(r * 2 * z1, z1).CopyTo(dst);
                if (!drawLower) continue;
                for (int j = 0; j < z1; j++)
                    dst[j] += temperature * MathF.Exp(0.5f * headData[r * 2 * z1 + z1 + j]) * eps[(start + r) * z1 + j];
            }
        }
        return Decode(lower.View);
    }
}

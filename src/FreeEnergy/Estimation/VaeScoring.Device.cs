using FreeEnergy.Compute.Device;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Estimation;

internal static partial class VaeScoring
{
    /// <summary>Pairs (row, sample) decoded per device chunk.</summary>
    private const int DevicePairChunk = 2048;

    /// <summary>
    /// The per-pair terms of a Bernoulli VAE with the fixed scoring noise on a device: rows uploaded in chunks, encoder,
    /// the K draws per row (<see cref="IVaeDeviceOps.ReparameterizePairs"/>), decoder, -log p(x|z) and the log ratio per
    /// pair on the device; the per-pair terms and the KL per row come back and are accumulated as on the CPU.
    /// </summary>
    private static Accumulator[] AccumulateOnDevice(IDeviceArrays dev, Vae model, MatrixView data, int samples, float[] fixedNoise, out double[] kl)
    {
        var layout = model.Layout;
        int n = data.Rows, d = layout.Input, z = layout.Latent, k = samples;
        int chunkRows = Math.Max(1, Math.Min(n, DevicePairChunk / k));
        int maxPairs = chunkRows * k;
        var owned = new List<DeviceArray>();
        DeviceArray Own(int length) { var a = dev.Allocate(length); owned.Add(a); return a; }
        var ops = dev.Ops<IVaeDeviceOps>();
        VaeNetwork? net = null;
        try
        {
            var theta = Own(layout.Count);
            dev.Upload(model.Parameters, theta);
            var noise = Own(k * z);
            dev.Upload(fixedNoise.AsSpan(0, k * z), noise);
            net = new VaeNetwork(dev, layout, theta, null, chunkRows, maxPairs);
            var x = Own(chunkRows * d);
            var klRows = Own(chunkRows);
            var pairRows = Own(maxPairs);
            var pairIndex = new int[maxPairs];
            for (int p = 0; p < maxPairs; p++) pairIndex[p] = p / k;
            dev.UploadIndexes(pairIndex, pairRows);
            var xPairs = Own(maxPairs * d);
            var nll = Own(maxPairs);
            var ratio = Own(maxPairs);
            var nllHost = new float[maxPairs];
            var ratioHost = new float[maxPairs];
            var klHost = new float[chunkRows];
            var acc = new Accumulator[n];
            kl = new double[n];
            for (int start = 0; start < n; start += chunkRows)
            {
                int rows = Math.Min(chunkRows, n - start), pairs = rows * k;
                var xb = x.Slice(0, rows * d);
                dev.Upload(data.RowRange(start, rows).Span, xb);
                net.Encode(xb, rows);
                var hb = net.Head.Slice(0, rows * 2 * z);
                ops.KlRows(hb, klRows, rows, z, model.PriorScale);
                var e = net.Eps.Slice(0, pairs * z);
                var zb = net.Z.Slice(0, pairs * z);
                ops.ReparameterizePairs(hb, noise, e, zb, pairs, k, z);
                net.Decode(pairs);
                var xp = xPairs.Slice(0, pairs * d);
                dev.GatherRows(xb, d, pairRows, pairs, xp);
                ops.BernoulliLogitLossRows(xp, net.Out.Slice(0, pairs * d), nll, pairs, d, 1f);
                ops.LogRatioPairs(zb, hb, e, ratio, pairs, k, z, model.PriorScale);
                dev.Download(nll.Slice(0, pairs), nllHost);
                dev.Download(ratio.Slice(0, pairs), ratioHost);
                dev.Download(klRows.Slice(0, rows), klHost);
                for (int r = 0; r < rows; r++) kl[start + r] = klHost[r];
                for (int p = 0; p < pairs; p++) acc[start + p / k].Add(nllHost[p], (double)nllHost[p] + ratioHost[p]);
            }
            return acc;
        }
        finally
        {
            net?.Dispose();
            foreach (var a in owned) a.Dispose();
        }
    }
}

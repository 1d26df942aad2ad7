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
    /// the K draws per row (<see cref="IDeviceArrays.ReparameterizePairs"/>), decoder, -log p(x|z) and the log ratio per
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
        try
        {
            var theta = Own(layout.Count);
            dev.Upload(model.Parameters, theta);
            var noise = Own(k * z);
            dev.Upload(fixedNoise.AsSpan(0, k * z), noise);
            var net = new DeviceVaeNetwork(dev, layout, theta);
            var x = Own(chunkRows * d);
            var encoder = layout.EncoderSizes.Select(w => Own(chunkRows * w)).ToArray();
            var head = Own(chunkRows * 2 * z);
            var klRows = Own(chunkRows);
            var pairRows = Own(maxPairs);
            var pairIndex = new int[maxPairs];
            for (int p = 0; p < maxPairs; p++) pairIndex[p] = p / k;
            dev.UploadIndexes(pairIndex, pairRows);
            var xPairs = Own(maxPairs * d);
            var eps = Own(maxPairs * z);
            var zs = Own(maxPairs * z);
            var decoder = layout.DecoderSizes.Select(w => Own(maxPairs * w)).ToArray();
            var output = Own(maxPairs * d);
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
                var hb = head.Slice(0, rows * 2 * z);
                net.Encode(xb, rows, encoder, hb);
                dev.KlRows(hb, klRows, rows, z, model.PriorScale);
                var e = eps.Slice(0, pairs * z);
                var zb = zs.Slice(0, pairs * z);
                dev.ReparameterizePairs(hb, noise, e, zb, pairs, k, z);
                var ob = output.Slice(0, pairs * d);
                net.Decode(zb, pairs, decoder, ob);
                var xp = xPairs.Slice(0, pairs * d);
                dev.GatherRows(xb, d, pairRows, pairs, xp);
                dev.BernoulliLogitLossRows(xp, ob, nll, pairs, d, 1f);
                dev.LogRatioPairs(zb, hb, e, ratio, pairs, k, z, model.PriorScale);
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
            foreach (var a in owned) a.Dispose();
        }
    }
}

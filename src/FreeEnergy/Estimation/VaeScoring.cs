using FreeEnergy.Compute;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Estimation;

/// <summary>
/// Runs K draws per row through the decoder and reduces them per row into F_q, IWAE and cumulant estimates.
/// The (row, sample) pairs are flattened and decoded in chunks, so large K and many rows both make full-size GEMMs.
/// Draws come either from the model's fixed scoring noise (eps_k, the same for every row) or from Philox
/// (seed, stream(row), index k * Z), which makes results independent of chunking and thread count.
/// </summary>
internal static partial class VaeScoring
{
    private const int PairChunk = 512;

    public static VaeEstimates Run(Vae model, MatrixView data, int samples, float[]? fixedNoise, ulong seed, IComputeBackend backend, Compute.Device.IDeviceArrays? device = null)
    {
        var layout = model.Layout;
        var theta = model.Parameters;
        int n = data.Rows, d = layout.Input, z = layout.Latent, k = samples;
        if (fixedNoise is not null && layout.Likelihood == VaeLikelihood.Bernoulli && n > 0)
        {
            // The fixed-noise scores (F_q of Vae.FreeEnergy) of a Bernoulli VAE on a GPU: encoder, draws, decoder and
            // per-pair terms on the device; only the per-pair terms come back.
            using var use = DeviceUse.Of(backend, device);
            if (use.Arrays is { } arrays)
                lock (arrays.Gate) return Finish(1.0 / model.Beta, AccumulateOnDevice(arrays, model, data, samples, fixedNoise, out var deviceKl), deviceKl, k);
        }

        // 1. q(z|x) for every row, and the closed-form KL.
        var kl = new double[n];
        var ws = new VaeWorkspace(layout, theta, backend, (int)Math.Max(1, Math.Min(PairChunk, (long)n * k))) { PriorScale = model.PriorScale };
        var head = ws.PosteriorHeads(data);
        for (int r = 0; r < n; r++)
        {
            var h = head.AsSpan(r * 2 * z, 2 * z);
            kl[r] = VaeKernels.Kl(h[..z], h[z..], model.PriorScale);
        }

        // 2. Decode the (row, sample) pairs chunk by chunk and accumulate per row.
        var acc = new Accumulator[n];
        long total = (long)n * k;
        var nll = new double[ws.Capacity];
        var ratio = new double[ws.Capacity];
        long chunkStart = 0;
        int chunkRows = 0;
        bool bernoulli = layout.Likelihood == VaeLikelihood.Bernoulli;
        double logVarianceSum = 0;
        if (!bernoulli) foreach (var v in theta.AsSpan(layout.DecoderLogVarianceOffset, d)) logVarianceSum += v;
        var inverseVariance = ws.InverseVariance;

        void Prepare(int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                long t = chunkStart + i;
                int r = (int)(t / k), s = (int)(t % k);
                var eps = ws.Eps.AsSpan(i * z, z);
                if (fixedNoise is not null) fixedNoise.AsSpan(s * z, z).CopyTo(eps);
                else Philox.FillGaussian(seed, Philox.Stream(Vae.PurposeScore, (ulong)r), (ulong)s * (ulong)z, eps);
                var h = head.AsSpan(r * 2 * z, 2 * z);
                var zr = ws.Z.AsSpan(i * z, z);
                for (int j = 0; j < z; j++) zr[j] = h[j] + MathF.Exp(0.5f * h[z + j]) * eps[j];
            }
        }
        void Likelihood(int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                long t = chunkStart + i;
                int r = (int)(t / k);
                var x = data.Array.AsSpan(data.Offset + r * d, d);
                var o = ws.Out.AsSpan(i * d, d);
                nll[i] = bernoulli ? VaeKernels.BernoulliRow(x, o, 1f) : VaeKernels.GaussianRow(x, o, inverseVariance, logVarianceSum, 1f);
                var h = head.AsSpan(r * 2 * z, 2 * z);
                ratio[i] = VaeKernels.LogRatio(ws.Z.AsSpan(i * z, z), h[z..], ws.Eps.AsSpan(i * z, z), model.PriorScale);
            }
        }
        Action<int, int> prepare = Prepare, likelihood = Likelihood;

        for (chunkStart = 0; chunkStart < total; chunkStart += chunkRows)
        {
            chunkRows = (int)Math.Min(ws.Capacity, total - chunkStart);
            backend.For(chunkRows, Math.Max(1, 2048 / z), prepare);
            ws.Decode(chunkRows);
            backend.For(chunkRows, Math.Max(1, 16384 / d), likelihood);
            for (int i = 0; i < chunkRows; i++)
            {
                long t = chunkStart + i;
                acc[(int)(t / k)].Add(nll[i], nll[i] + ratio[i]);
            }
        }

        return Finish(1.0 / model.Beta, acc, kl, k);
    }

    /// <summary>The estimates from per-row sums: F_q = SumNll / k + <paramref name="invBeta"/> kl (a closed-form term per row, or none).</summary>
    internal static VaeEstimates Finish(double invBeta, Accumulator[] acc, double[]? kl, int k)
    {
        int n = acc.Length;
        var fq = new float[n];
        var iwae = new float[n];
        var c2 = new float[n];
        var c3 = new float[n];
        for (int r = 0; r < n; r++)
        {
            ref var a = ref acc[r];
            fq[r] = (float)(a.SumNll / k + (kl is null ? 0 : invBeta * kl[r]));
            iwae[r] = (float)(-(a.LogSumNegV - Math.Log(k)));
            double mean = a.S1 / k;
            double m2 = a.S2 / k - mean * mean;
            double m3 = a.S3 / k - 3 * mean * a.S2 / k + 2 * mean * mean * mean;
            double k1 = a.Shift + mean;
            double k2 = k > 1 ? m2 * k / (k - 1) : 0;
            double k3 = k > 2 ? m3 * k * k / ((double)(k - 1) * (k - 2)) : 0;
            c2[r] = (float)(k1 - k2 / 2);
            c3[r] = (float)(k1 - k2 / 2 + k3 / 6);
        }
        return new VaeEstimates(fq, iwae, c2, c3, k);
    }

    /// <summary>Streaming per-row sums: -log p(x|z), shifted moments of V, and a running log-sum-exp of -V.</summary>
    internal struct Accumulator
    {
        public int Count;
        public double SumNll, Shift, S1, S2, S3, LogSumNegV;

        public void Add(double nll, double v)
        {
            if (Count == 0) { Shift = v; LogSumNegV = -v; }
            else
            {
                double a = LogSumNegV, b = -v;
                LogSumNegV = a > b ? a + Math.Log(1 + Math.Exp(b - a)) : b + Math.Log(1 + Math.Exp(a - b));
            }
            Count++;
            SumNll += nll;
            double dv = v - Shift;
            S1 += dv; S2 += dv * dv; S3 += dv * dv * dv;
        }
    }
}

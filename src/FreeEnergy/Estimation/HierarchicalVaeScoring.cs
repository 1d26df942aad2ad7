using FreeEnergy.Compute;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Estimation;

/// <summary>
/// K draws (z1, z2) ~ q(z1|x) q(z2|z1) per row of a <see cref="HierarchicalVae"/>, reduced per row into F_q, IWAE and
/// cumulant estimates (as <see cref="VaeScoring"/>): per draw the free-energy term -log p(x|z1) + (1/beta1)
/// (log q(z1|x) - log p(z1|z2)) + (1/beta2) KL(q(z2|z1) || N(0, I)), and V = log q(z1, z2|x) - log p(x, z1, z2) =
/// -log p(x|z1) + (log q(z1|x) - log p(z1|z2)) + (log q(z2|z1) - log p(z2)). Draws come from the model's fixed scoring
/// noise (eps_k, [K, Z1 + Z2], the same for every row) or from Philox (seed, stream(row), index k (Z1 + Z2)); the
/// (row, sample) pairs run in chunks after q(z1|x) of every row, so results do not depend on the chunking or the thread count.
/// </summary>
internal static class HierarchicalVaeScoring
{
    private const int PairChunk = 512;

    /// <summary>
    /// The estimates of every row of <paramref name="data"/> from <paramref name="samples"/> draws each (the fixed noise, or
    /// Philox of <paramref name="seed"/>); with <paramref name="upperMeans"/> ([N, Z2]), each row's mean of mu2(z1) over its
    /// draws is added into it: E_q[z2|x] by Monte Carlo.
    /// </summary>
    public static VaeEstimates Run(HierarchicalVae model, MatrixView data, int samples, float[]? fixedNoise, ulong seed, IComputeBackend backend,
        float[]? upperMeans = null)
    {
        var layout = model.Layout;
        int n = data.Rows, d = layout.Input, z1 = layout.Latent1, z2 = layout.Latent2, k = samples, width = z1 + z2;
        var ws = new HierarchicalVaeWorkspace(layout, model.Parameters, backend, (int)Math.Max(1, Math.Min(PairChunk, (long)n * k)));
        // q(z1|x) once per row; the pairs copy their row's head.
        var head = ws.PosteriorHeads(data);
        var acc = new VaeScoring.Accumulator[n];
        double invBeta1 = 1.0 / model.Beta, invBeta2 = 1.0 / model.UpperBeta;
        long total = (long)n * k, chunkStart = 0;
        void Prepare(int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                long t = chunkStart + i;
                int r = (int)(t / k), s = (int)(t % k);
                data.Array.AsSpan(data.Offset + r * d, d).CopyTo(ws.X.AsSpan(i * d, d));
                head.AsSpan(r * 2 * z1, 2 * z1).CopyTo(ws.Head1.AsSpan(i * 2 * z1, 2 * z1));
                var eps1 = ws.Eps1.AsSpan(i * z1, z1);
                var eps2 = ws.Eps2.AsSpan(i * z2, z2);
                if (fixedNoise is not null)
                {
                    fixedNoise.AsSpan(s * width, z1).CopyTo(eps1);
                    fixedNoise.AsSpan(s * width + z1, z2).CopyTo(eps2);
                }
                else
                {
                    ulong stream = Philox.Stream(Vae.PurposeScore, (ulong)r), index = (ulong)s * (ulong)width;
                    Philox.FillGaussian(seed, stream, index, eps1);
                    Philox.FillGaussian(seed, stream, index + (ulong)z1, eps2);
                }
            }
        }
        Action<int, int> prepare = Prepare;
        for (chunkStart = 0; chunkStart < total; chunkStart += ws.Capacity)
        {
            int pairs = (int)Math.Min(ws.Capacity, total - chunkStart);
            backend.For(pairs, Math.Max(1, 4096 / d), prepare);
            ws.ForwardFromPosterior(pairs);
            ws.Terms(pairs);
            for (int i = 0; i < pairs; i++)
            {
                double f = ws.Reconstruction[i] + invBeta1 * ws.LogRatio1[i] + invBeta2 * ws.Kl2[i];
                double v = ws.Reconstruction[i] + ws.LogRatio1[i] + ws.LogRatio2[i];
                int row = (int)((chunkStart + i) / k);
                acc[row].Add(f, v);
                if (upperMeans is not null)
                    for (int j = 0; j < z2; j++) upperMeans[row * z2 + j] += ws.Head2[i * 2 * z2 + j] / k;
            }
        }
        return VaeScoring.Finish(0, acc, null, k);
    }
}

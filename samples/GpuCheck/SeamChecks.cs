using System.Text.Json.Nodes;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Cuda;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;
using FreeEnergy.Estimation;
using FreeEnergy.Models;

namespace FreeEnergy.GpuCheck;

/// <summary>
/// Every operation of the device seam on CUDA (<see cref="CudaDeviceArrays"/>) against the host implementation
/// (<see cref="HostDeviceArrays"/>, the CPU engine), on slices with non-zero offsets so that pointer arithmetic and
/// argument marshalling are exercised: 1e-4 relative for arithmetic, bit-identical for draws, gathers and copies.
/// </summary>
internal sealed class SeamChecks(Func<IDeviceArrays> device)
{
    /// <summary>Checks CUDA against the host seam.</summary>
    public SeamChecks(CudaBackend backend) : this(() => new CudaDeviceArrays(backend)) { }

    private readonly JsonArray results = [];

    public bool AllPassed { get; private set; } = true;

    private static float[] Random(int n, ulong stream, float scale = 1f)
    {
        var x = new float[n];
        Philox.FillGaussian(99, stream, 0, x);
        for (int i = 0; i < n; i++) x[i] *= scale;
        return x;
    }

    private void Record(string name, float[] expected, float[] actual, double tolerance)
    {
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = Math.Abs((double)actual[i] - expected[i]) / Math.Max(1.0, Math.Abs(expected[i]));
            if (double.IsNaN(e) || e > worst) worst = double.IsNaN(e) ? double.PositiveInfinity : e;
        }
        bool ok = expected.Length == actual.Length && worst <= tolerance;
        AllPassed &= ok;
        results.Add((JsonNode)new JsonObject { ["name"] = "seam." + name, ["passed"] = ok, ["elements"] = expected.Length, ["maxRelativeError"] = double.IsFinite(worst) ? worst : null, ["tolerance"] = tolerance });
    }

    /// <summary>Runs <paramref name="operation"/> on both implementations with the same inputs and compares <paramref name="output"/>.</summary>
    private void Check(string name, float[][] inputs, Func<IDeviceArrays, DeviceArray[], DeviceSlice> operation, double tolerance)
    {
        float[] Run(IDeviceArrays device)
        {
            // Each input sits at offset 3 of a larger array: slices with offsets, as the trainers use them.
            var arrays = inputs.Select(x =>
            {
                var a = device.Allocate(x.Length + 5);
                device.Fill(a, float.NaN);
                device.Upload(x, a.Slice(3, x.Length));
                return a;
            }).ToArray();
            try { return device.ToArray(operation(device, arrays)); }
            finally { foreach (var a in arrays) a.Dispose(); }
        }
        using var gpu = device();
        using var host = new HostDeviceArrays(CpuBackend.Default);
        Record(name, Run(host), Run(gpu), tolerance);
    }

    public JsonArray RunAll()
    {
        int rows = 37, d = 29, h = 23;
        static DeviceSlice S(DeviceArray a, int length) => a.Slice(3, length);
        foreach (var (ta, tb) in new[] { (Transpose.None, Transpose.None), (Transpose.None, Transpose.Transposed), (Transpose.Transposed, Transpose.None) })
        {
            int m = 17, n = 19, k = 13;
            int aLen = m * k, bLen = k * n;
            Check($"gemm.{ta}.{tb}", [Random(aLen, 1), Random(bLen, 2), Random(m * n, 3)], (dev, x) =>
            {
                int lda = ta == Transpose.None ? k : m, ldb = tb == Transpose.None ? n : k;
                dev.Gemm(ta, tb, m, n, k, 0.7f, S(x[0], aLen), lda, S(x[1], bLen), ldb, 0.3f, S(x[2], m * n), n);
                return S(x[2], m * n);
            }, 1e-4);
        }
        var indexes = new int[rows];
        for (int r = 0; r < rows; r++) indexes[r] = (r * 7 + 3) % 50;
        Check("gatherRows", [Random(50 * d, 4), new float[rows]], (dev, x) =>
        {
            dev.UploadIndexes(indexes, S(x[1], rows));
            var output = dev.Allocate(rows * d + 3);
            dev.GatherRows(S(x[0], 50 * d), d, S(x[1], rows), rows, output.Slice(3, rows * d));
            return output.Slice(3, rows * d);
        }, 0);
        Check("biasSigmoid", [Random(rows * h, 5, 4f), Random(h, 6)], (dev, x) => { dev.BiasSigmoid(S(x[0], rows * h), S(x[1], h), S(x[0], rows * h), rows, h); return S(x[0], rows * h); }, 1e-5);
        var probabilities = Random(rows * h, 7).Select(v => 1f / (1f + MathF.Exp(-v))).ToArray();
        Check("bernoulli", [probabilities, new float[rows * h]], (dev, x) => { dev.Bernoulli(S(x[0], rows * h), S(x[1], rows * h), 5, Philox.Stream(1, 2, 3), 0); return S(x[1], rows * h); }, 0);
        Check("scale", [Random(rows, 8)], (dev, x) => { dev.Scale(S(x[0], rows), -0.25f); return S(x[0], rows); }, 0);
        Check("columnMeanDifference", [Random(rows * d, 9), Random(11 * d, 10), new float[d]], (dev, x) =>
        { dev.ColumnMeanDifference(S(x[0], rows * d), rows, S(x[1], 11 * d), 11, d, S(x[2], d)); return S(x[2], d); }, 1e-5);
        Check("momentum", [Random(h, 11), Random(h, 12), Random(h, 13)], (dev, x) =>
        { dev.Momentum(S(x[0], h), S(x[1], h), S(x[2], h), 0.05f, 0.9f, 0.001f); return S(x[0], h); }, 1e-5);
        Check("weightStep", [Random(d * h, 14), Random(d * h, 15, 0.01f)], (dev, x) =>
        { dev.Ops<IRbmDeviceOps>().WeightStep(S(x[0], d * h), S(x[1], d * h), 1e-3f, 1e-4f); return S(x[0], d * h); }, 1e-5);
        Check("rbmFreeEnergyRows", [Random(rows * d, 16).Select(v => v > 0 ? 1f : 0f).ToArray(), Random(d, 17), Random(rows * h, 18, 3f), Random(h, 19), new float[rows]], (dev, x) =>
        { dev.Ops<IRbmDeviceOps>().RbmFreeEnergyRows(S(x[0], rows * d), S(x[1], d), S(x[2], rows * h), S(x[3], h), S(x[4], rows), rows, d, h); return S(x[4], rows); }, 1e-4);
        Check("squaredErrorRows", [Random(rows * d, 20), Random(rows * d, 21), new float[rows]], (dev, x) =>
        { dev.SquaredErrorRows(S(x[0], rows * d), S(x[1], rows * d), S(x[2], rows), rows, d); return S(x[2], rows); }, 1e-5);
        // TAP training (third order: every optional input present; second order for the update without one).
        var magnetizations = Random(rows * h, 22).Select(v => 0.5f + 0.45f * v / (1f + MathF.Abs(v))).ToArray();
        Check("tapPowers", [Random(d * h, 23), new float[d * h], new float[d * h]], (dev, x) =>
        { dev.Ops<ITapDeviceOps>().TapPowers(S(x[0], d * h), S(x[1], d * h), S(x[2], d * h)); return S(x[2], d * h); }, 1e-5);
        Check("tapMoments", [magnetizations, new float[rows * h], new float[rows * h]], (dev, x) =>
        { dev.Ops<ITapDeviceOps>().TapMoments(S(x[0], rows * h), S(x[1], rows * h), S(x[2], rows * h)); return S(x[2], rows * h); }, 1e-5);
        foreach (int order in new[] { 2, 3 })
            Check($"tapUpdate{order}", [Random(rows * h, 24, 4f), Random(rows * h, 25), Random(rows * h, 26), Random(h, 27), magnetizations], (dev, x) =>
            {
                dev.Ops<ITapDeviceOps>().TapUpdate(S(x[0], rows * h), S(x[1], rows * h), order == 3 ? S(x[2], rows * h) : null, S(x[3], h), S(x[4], rows * h), rows, h, 0.5f);
                return S(x[4], rows * h);
            }, 1e-5);
        Check("tapWeightVelocity", [Random(d * h, 28), Random(d * h, 29), Random(d * h, 39), Random(d * h, 40), Random(d * h, 41)], (dev, x) =>
        { dev.Ops<ITapDeviceOps>().TapWeightVelocity(S(x[0], d * h), S(x[1], d * h), S(x[2], d * h), S(x[3], d * h), S(x[4], d * h), -0.05f); return S(x[4], d * h); }, 1e-5);
        // AIS, Gaussian RBM and VAE operations.
        Check("addRowBias", [Random(rows * h, 30), Random(h, 31)], (dev, x) => { dev.AddRowBias(S(x[0], rows * h), S(x[1], h), rows, h); return S(x[0], rows * h); }, 1e-6);
        Check("temperedSigmoid", [Random(rows * d, 32, 3f), Random(d, 33), Random(d, 34)], (dev, x) =>
        { dev.Ops<IAisDeviceOps>().TemperedSigmoid(S(x[0], rows * d), 0.375f, S(x[1], d), S(x[2], d), S(x[0], rows * d), rows, d); return S(x[0], rows * d); }, 1e-5);
        Check("aisLogWeights", [Random(rows * h, 35, 4f), Random(rows * d, 29).Select(v => v > 0f ? 1f : 0f).ToArray(), Random(d, 36), Random(rows, 37, 10f), new float[rows]], (dev, x) =>
        { dev.Ops<IAisDeviceOps>().AisLogWeights(S(x[0], rows * h), S(x[1], rows * d), S(x[2], d), S(x[3], rows), S(x[4], rows), rows, d, h, 0.25, 0.3125); return S(x[3], rows); }, 1e-5);
        var sigma = Random(d, 38).Select(v => 0.5f + MathF.Abs(v)).ToArray();
        Check("divideColumns", [Random(rows * d, 39), sigma], (dev, x) => { dev.DivideColumns(S(x[0], rows * d), S(x[1], d), rows, d); return S(x[0], rows * d); }, 1e-6);
        Check("scaleShiftColumns", [Random(rows * d, 40), sigma, Random(d, 41)], (dev, x) =>
        { dev.ScaleShiftColumns(S(x[0], rows * d), S(x[1], d), S(x[2], d), S(x[0], rows * d), rows, d); return S(x[0], rows * d); }, 1e-6);
        Check("gaussianVisible", [Random(rows * d, 42), Random(d, 43), sigma, new float[rows * d]], (dev, x) =>
        { dev.Ops<IRbmDeviceOps>().GaussianVisible(S(x[0], rows * d), S(x[1], d), S(x[2], d), S(x[3], rows * d), rows, d, 7, Philox.Stream(4, 5, 6), 3); return S(x[3], rows * d); }, 1e-5);
        Check("gaussianRbmFreeEnergyRows", [Random(rows * d, 44), Random(d, 45), sigma, Random(rows * h, 46, 3f), Random(h, 47), new float[rows]], (dev, x) =>
        { dev.Ops<IRbmDeviceOps>().GaussianRbmFreeEnergyRows(S(x[0], rows * d), S(x[1], d), S(x[2], d), S(x[3], rows * h), S(x[4], h), S(x[5], rows), rows, d, h); return S(x[5], rows); }, 1e-4);
        foreach (var activation in new[] { FreeEnergy.Compute.Activation.Relu, FreeEnergy.Compute.Activation.Tanh, FreeEnergy.Compute.Activation.Softplus })
        {
            Check($"dense.{activation}", [Random(rows * d, 48, 3f), Random(d * h, 65), Random(h, 49), new float[rows * h]], (dev, x) =>
            { dev.Ops<IVaeDeviceOps>().Dense(S(x[0], rows * d), S(x[1], d * h), S(x[2], h), rows, d, h, activation, S(x[3], rows * h)); return S(x[3], rows * h); }, 1e-4);
            Check($"activationBackward.{activation}", [Random(rows * h, 50), Random(rows * h, 51).Select(MathF.Abs).ToArray()], (dev, x) =>
            { dev.Ops<IVaeDeviceOps>().ActivationBackward(S(x[0], rows * h), S(x[1], rows * h), rows, h, activation); return S(x[0], rows * h); }, 1e-5);
        }
        Check("columnSums", [Random(rows * h, 52), new float[h]], (dev, x) => { dev.ColumnSums(S(x[0], rows * h), rows, h, S(x[1], h)); return S(x[1], h); }, 1e-5);
        Check("gaussian", [new float[rows * h]], (dev, x) => { dev.Gaussian(S(x[0], rows * h), 11, Philox.Stream(1, 1, 1), 5); return S(x[0], rows * h); }, 1e-6);
        int z = 4;
        var head = Random(rows * 2 * z, 53);
        Check("reparameterize", [head, Random(rows * z, 54), new float[rows * z]], (dev, x) =>
        { dev.Ops<IVaeDeviceOps>().Reparameterize(S(x[0], rows * 2 * z), S(x[1], rows * z), S(x[2], rows * z), rows, z); return S(x[2], rows * z); }, 1e-6);
        var binary = Random(rows * d, 28).Select(v => v > 0f ? 1f : 0f).ToArray();
        Check("bernoulliLogitLossRows.loss", [binary, Random(rows * d, 55, 5f), new float[rows]], (dev, x) =>
        { dev.Ops<IVaeDeviceOps>().BernoulliLogitLossRows(S(x[0], rows * d), S(x[1], rows * d), S(x[2], rows), rows, d, 0.25f); return S(x[2], rows); }, 1e-5);
        Check("bernoulliLogitLossRows.gradient", [binary, Random(rows * d, 55, 5f), new float[rows]], (dev, x) =>
        { dev.Ops<IVaeDeviceOps>().BernoulliLogitLossRows(S(x[0], rows * d), S(x[1], rows * d), S(x[2], rows), rows, d, 0.25f); return S(x[1], rows * d); }, 1e-6);
        Check("klRows", [head, new float[rows]], (dev, x) => { dev.Ops<IVaeDeviceOps>().KlRows(S(x[0], rows * 2 * z), S(x[1], rows), rows, z, 1.5f); return S(x[1], rows); }, 1e-5);
        Check("headBackward", [head, Random(rows * z, 56), Random(rows * z, 57), new float[rows * 2 * z]], (dev, x) =>
        { dev.Ops<IVaeDeviceOps>().HeadBackward(S(x[0], rows * 2 * z), S(x[1], rows * z), S(x[2], rows * z), S(x[3], rows * 2 * z), rows, z, 0.125f, 1.5f); return S(x[3], rows * 2 * z); }, 1e-5);
        Check("adam", [Random(500, 58), Random(500, 59), Random(500, 60, 0.1f), Random(500, 61, 0.01f).Select(MathF.Abs).ToArray()], (dev, x) =>
        { dev.Adam(S(x[0], 500), S(x[1], 500), S(x[2], 500), S(x[3], 500), 1e-3f, 0.9f, 0.999f, 1e-8f, 3, 1e-4f); return S(x[0], 500); }, 1e-5);
        int samples = 3, pairs = rows * samples;
        Check("reparameterizePairs", [head, Random(samples * z, 62), new float[pairs * z], new float[pairs * z]], (dev, x) =>
        { dev.Ops<IVaeDeviceOps>().ReparameterizePairs(S(x[0], rows * 2 * z), S(x[1], samples * z), S(x[2], pairs * z), S(x[3], pairs * z), pairs, samples, z); return S(x[3], pairs * z); }, 1e-6);
        Check("logRatioPairs", [head, Random(samples * z, 62), new float[pairs * z], new float[pairs * z], new float[pairs]], (dev, x) =>
        {
            dev.Ops<IVaeDeviceOps>().ReparameterizePairs(S(x[0], rows * 2 * z), S(x[1], samples * z), S(x[2], pairs * z), S(x[3], pairs * z), pairs, samples, z);
            dev.Ops<IVaeDeviceOps>().LogRatioPairs(S(x[3], pairs * z), S(x[0], rows * 2 * z), S(x[2], pairs * z), S(x[4], pairs), pairs, samples, z, 0.8f);
            return S(x[4], pairs);
        }, 1e-5);
        // Importance-weighted training and the two-level VAE's middle level, over the pairs above.
        var zPairs = Random(pairs * z, 65);
        Check("importanceHeadBackward", [Random(pairs * 2 * z, 66), Random(pairs * z, 67), zPairs, Random(pairs * z, 68), Random(pairs, 69), new float[pairs * 2 * z]], (dev, x) =>
        { dev.Ops<IVaeDeviceOps>().ImportanceHeadBackward(S(x[0], pairs * 2 * z), S(x[1], pairs * z), S(x[2], pairs * z), S(x[3], pairs * z), S(x[4], pairs), S(x[5], pairs * 2 * z), pairs, z, 1.5f); return S(x[5], pairs * 2 * z); }, 1e-5);
        float[][] weightInputs = [Random(pairs, 70, 5f).Select(v => 40f + v).ToArray(), Random(pairs, 71, 3f), Random(pairs, 72, 3f), new float[pairs], new float[pairs], new float[rows]];
        foreach (var (output, length) in new[] { (3, pairs), (4, pairs), (5, rows) })
            Check($"importanceWeights.{output - 3}", weightInputs, (dev, x) =>
            {
                dev.Ops<IVaeDeviceOps>().ImportanceWeights(S(x[0], pairs), S(x[1], pairs), 0.75f, S(x[2], pairs), 1.25f, rows, samples, 0.25f, 1.25f, S(x[3], pairs), S(x[4], pairs), S(x[5], rows));
                return S(x[output], length);
            }, 1e-5);
        Check("scaleRows", [Random(pairs * d, 73), Random(pairs, 74)], (dev, x) => { dev.Ops<IVaeDeviceOps>().ScaleRows(S(x[0], pairs * d), S(x[1], pairs), pairs, d); return S(x[0], pairs * d); }, 1e-6);
        int upper = 3;
        foreach (var (output, length) in new[] { (1, pairs * z), (2, pairs * upper) })
            Check($"splitColumns.{output}", [Random(pairs * (z + upper), 75), new float[pairs * z], new float[pairs * upper]], (dev, x) =>
            { dev.Ops<IHierarchicalVaeDeviceOps>().SplitColumns(S(x[0], pairs * (z + upper)), pairs, z, upper, S(x[1], pairs * z), S(x[2], pairs * upper)); return S(x[output], length); }, 0);
        var head1 = Random(pairs * 2 * z, 76); var eps1 = Random(pairs * z, 77); var priorHead = Random(pairs * 2 * z, 78);
        Check("priorLogRatioRows", [zPairs, head1, eps1, priorHead, new float[pairs]], (dev, x) =>
        { dev.Ops<IHierarchicalVaeDeviceOps>().PriorLogRatioRows(S(x[0], pairs * z), S(x[1], pairs * 2 * z), S(x[2], pairs * z), S(x[3], pairs * 2 * z), S(x[4], pairs), pairs, z); return S(x[4], pairs); }, 1e-5);
        var pairScale = Random(pairs, 79, 0.1f);
        foreach (var (output, length) in new[] { (3, pairs * 2 * z), (4, pairs * z) })
            Check($"priorBackward.{output}", [zPairs, priorHead, pairScale, new float[pairs * 2 * z], Random(pairs * z, 80)], (dev, x) =>
            { dev.Ops<IHierarchicalVaeDeviceOps>().PriorBackward(S(x[0], pairs * z), S(x[1], pairs * 2 * z), S(x[2], pairs), 0.5f, S(x[3], pairs * 2 * z), S(x[4], pairs * z), pairs, z); return S(x[output], length); }, 1e-5);
        foreach (var (output, length) in new[] { (2, pairs * z), (5, pairs * 2 * z) })
            Check($"posteriorHeadBackward.{output}", [head1, eps1, Random(pairs * z, 81), Random(pairs * z, 82), pairScale, new float[pairs * 2 * z]], (dev, x) =>
            { dev.Ops<IHierarchicalVaeDeviceOps>().PosteriorHeadBackward(S(x[0], pairs * 2 * z), S(x[1], pairs * z), S(x[2], pairs * z), S(x[3], pairs * z), S(x[4], pairs), 0.5f, S(x[5], pairs * 2 * z), pairs, z); return S(x[output], length); }, 1e-5);
        Check("gemm.offsetSliceBetaZeroOverNaN", [Random(rows * d, 63), Random(d * h, 64), new float[rows * h]], (dev, x) =>
        {
            dev.Fill(S(x[2], rows * h), float.NaN);
            dev.Gemm(Transpose.None, Transpose.None, rows, h, d, 1f, S(x[0], rows * d), d, S(x[1], d * h), h, 0f, S(x[2], rows * h), h);
            return S(x[2], rows * h);
        }, 1e-4);
        var big = Random(100_000, 22, 3f);
        big[77_777] = -25f;
        Check("maxMagnitude", [big], (dev, x) =>
        {
            var result = dev.Allocate(1);
            dev.Upload([dev.MaxMagnitude(S(x[0], big.Length))], result);
            return result;
        }, 0);
        return results;
    }
}

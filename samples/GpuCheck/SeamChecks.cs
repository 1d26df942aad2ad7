using System.Text.Json.Nodes;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Cuda;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.GpuCheck;

/// <summary>
/// Every operation of the device seam on CUDA (<see cref="CudaDeviceArrays"/>) against the host implementation
/// (<see cref="HostDeviceArrays"/>, the CPU engine), on slices with non-zero offsets so that pointer arithmetic and
/// argument marshalling are exercised: 1e-4 relative for arithmetic, bit-identical for draws, gathers and copies.
/// </summary>
internal sealed class SeamChecks(CudaBackend backend)
{
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
        using var gpu = new CudaDeviceArrays(backend);
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
        { dev.WeightStep(S(x[0], d * h), S(x[1], d * h), 1e-3f, 1e-4f); return S(x[0], d * h); }, 1e-5);
        Check("rbmFreeEnergyRows", [Random(rows * d, 16).Select(v => v > 0 ? 1f : 0f).ToArray(), Random(d, 17), Random(rows * h, 18, 3f), Random(h, 19), new float[rows]], (dev, x) =>
        { dev.RbmFreeEnergyRows(S(x[0], rows * d), S(x[1], d), S(x[2], rows * h), S(x[3], h), S(x[4], rows), rows, d, h); return S(x[4], rows); }, 1e-4);
        Check("squaredErrorRows", [Random(rows * d, 20), Random(rows * d, 21), new float[rows]], (dev, x) =>
        { dev.SquaredErrorRows(S(x[0], rows * d), S(x[1], rows * d), S(x[2], rows), rows, d); return S(x[2], rows); }, 1e-5);
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

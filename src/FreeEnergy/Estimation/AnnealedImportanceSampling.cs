using System.Numerics.Tensors;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Estimation;

/// <summary>
/// log Z by annealed importance sampling (Salakhutdinov and Murray 2008). The base model A has W = 0: visible
/// biases from the data's smoothed marginals (Bernoulli; without data, the model's own visible biases) or a
/// Gaussian with the data's column means and the model's sigma (Gaussian RBM). Along the path
/// log p*_beta(v) = (1 - beta) log p*_A(v) + beta (model visible term) + sum_j softplus(beta (b_j + (x^T W)_j)),
/// one Gibbs transition per beta; all runs move together as a [runs x D] batch: GEMMs, or for a Bernoulli RBM (0/1
/// samples on both layers) sums of selected rows of W packed once (<see cref="Training.BinaryRows"/>), and the weight
/// increments in vector lanes (<see cref="SoftplusDifference"/>).
/// log Z = log Z_A + log mean_runs exp(log w); the spread is log(mean w +- 3 std(w) / sqrt(runs)).
/// Thread-safe: only reads the model; concurrent calls with the same options give identical results.
/// </summary>
public static class AnnealedImportanceSampling
{
    internal const ulong StreamBase = 0xA150, StreamHidden = 0xA151, StreamVisible = 0xA152;

    /// <summary>Estimates log Z of <paramref name="model"/>; <paramref name="data"/> (optional) sets the base model.</summary>
    public static LogPartitionEstimate Estimate(RbmBase model, MatrixView? data = null, AisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new AisOptions();
        var betas = options.ResolveBetas();
        var backend = options.Backend ?? model.Backend;
        int runs = options.Runs, d = model.Visible, h = model.Hidden;
        ulong seed = options.Seed;
        var gaussian = model as GaussianRbm;
        if (data is { } dv) model.ValidateData(dv, "AIS base-rate data");

        // Base model.
        var baseBias = new float[d];     // Bernoulli: a_A; Gaussian: mu_A
        if (data is { Rows: > 0 } rows)
        {
            var mean = Training.RbmTrainer.ColumnMeans(rows);
            for (int i = 0; i < d; i++)
            {
                if (gaussian is not null) baseBias[i] = (float)mean[i];
                else
                {
                    double p = (mean[i] * rows.Rows + 0.5) / (rows.Rows + 1.0); // smoothed marginal
                    baseBias[i] = (float)Math.Log(p / (1 - p));
                }
            }
        }
        else model.VisibleBias.CopyTo(baseBias, 0);
        double logZA = h * Math.Log(2);
        if (gaussian is null) for (int i = 0; i < d; i++) logZA += Compute.Cpu.Activations.Softplus((double)baseBias[i]);
        else for (int i = 0; i < d; i++) logZA += 0.5 * Math.Log(2 * Math.PI) + Math.Log(gaussian.VisibleSigma[i]);

        if (model is BernoulliRbm bernoulli)
        {
            // All runs resident on a GPU (or, for tests, on the host seam): only the final log-weights come back.
            using var device = DeviceUse.Of(backend, options.DeviceArrays);
            if (device.Arrays is { } arrays)
                lock (arrays.Gate) return Combine(DeviceAis.LogWeights(arrays, bernoulli, baseBias, betas, runs, seed, options.Progress), logZA, runs, betas.Length - 1);
        }
        var a = model.VisibleBias;
        var b = model.HiddenBias;
        var w = model.Weights;
        var sigma = gaussian?.VisibleSigma;
        var v = new float[runs * d];        // visible state (raw)
        var x = new float[runs * d];        // visible as the hidden layer sees it (v or v / sigma)
        var pre = new float[runs * h];      // b + x W
        var hs = new float[runs * h];       // hidden samples, then scratch
        var vm = new float[runs * d];       // W h, then visible means
        var mix = new float[d];             // per-beta visible bias mixture
        var logw = new double[runs];
        var baseTerm = new double[runs];    // Bernoulli: a_A.v; Gaussian: sum (v - mu_A)^2 / (2 sigma^2)
        var modelTerm = new double[runs];   // Bernoulli: a.v;   Gaussian: sum (v - a)^2 / (2 sigma^2)
        // Bernoulli: the visible and hidden samples are 0/1, so v W and h W^T are sums of selected rows of W, packed once.
        var binary = gaussian is null && Math.Max(d, h) <= Training.BinaryRows.MaxPanelDepth ? new BinaryProducts(backend, w, runs, d, h) : null;

        // v_0 from the base model.
        backend.For(runs, RbmKernels.Grain(d), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                var row = v.AsSpan(r * d, d);
                if (gaussian is null)
                {
                    Philox.FillUniform(seed, Philox.Stream(StreamBase, 0), (ulong)r * (ulong)d, row);
                    for (int i = 0; i < d; i++) row[i] = row[i] < Compute.Cpu.Activations.Sigmoid(baseBias[i]) ? 1f : 0f;
                }
                else
                {
                    Philox.FillGaussian(seed, Philox.Stream(StreamBase, 0), (ulong)r * (ulong)d, row);
                    for (int i = 0; i < d; i++) row[i] = baseBias[i] + sigma![i] * row[i];
                }
                VisibleTerms(r);
            }
        });
        Project();

        for (int k = 1; k < betas.Length; k++)
        {
            double bPrev = betas[k - 1], bNow = betas[k];
            float beta = (float)bNow;
            ulong step = (ulong)k;
            // Weight update at the current v, then h ~ p_beta(h | v).
            backend.For(runs, RbmKernels.Grain(d), (s, e) =>
            {
                for (int r = s; r < e; r++)
                {
                    var p = pre.AsSpan(r * h, h);
                    var hr = hs.AsSpan(r * h, h);
                    double soft = SoftplusDifference.Sum(p, bPrev, bNow, hr); // hr: scratch until the sample below
                    double delta = bNow - bPrev;
                    logw[r] += gaussian is null
                        ? delta * (modelTerm[r] - baseTerm[r]) + soft
                        : -delta * (modelTerm[r] - baseTerm[r]) + soft;
                    if (k == betas.Length - 1) continue;
                    TensorPrimitives.Multiply(p, beta, hr);
                    Compute.Cpu.Activations.Sigmoid(hr, hr);
                    Compute.Random.PhiloxBernoulli.Sample(hr, hr, seed, Philox.Stream(StreamHidden, step), (ulong)r * (ulong)h);
                }
            });
            AisOptions.ReportStep(options.Progress, k, betas.Length - 1);
            if (k == betas.Length - 1) break;
            // v ~ p_beta(v | h).
            if (binary is not null && binary.Hidden.Collect(backend, hs, 0, runs)) binary.Hidden.Multiply(backend, 0, runs, binary.Columns, vm);
            else RbmKernels.HiddenToVisible(backend, hs, runs, w, d, h, vm);
            float oneMinus = 1f - beta;
            // Bernoulli: the visible input is beta (a + W h) + (1 - beta) a_A = beta (W h) + mix; Gaussian: mean shift.
            for (int i = 0; i < d; i++) mix[i] = gaussian is null ? beta * a[i] + oneMinus * baseBias[i] : oneMinus * baseBias[i] + beta * a[i];
            backend.For(runs, RbmKernels.Grain(d), (s, e) =>
            {
                for (int r = s; r < e; r++)
                {
                    var m = vm.AsSpan(r * d, d);
                    var row = v.AsSpan(r * d, d);
                    if (gaussian is null)
                    {
                        TensorPrimitives.MultiplyAdd(m, beta, mix, m);
                        Compute.Cpu.Activations.Sigmoid(m, m);
                        Compute.Random.PhiloxBernoulli.Sample(m, row, seed, Philox.Stream(StreamVisible, step), (ulong)r * (ulong)d);
                    }
                    else
                    {
                        Philox.FillGaussian(seed, Philox.Stream(StreamVisible, step), (ulong)r * (ulong)d, row);
                        for (int i = 0; i < d; i++)
                            row[i] = mix[i] + sigma![i] * (beta * m[i] + row[i]);
                    }
                    VisibleTerms(r);
                }
            });
            Project();
        }

        return Combine(logw, logZA, runs, betas.Length - 1);

        void VisibleTerms(int r)
        {
            var row = v.AsSpan(r * d, d);
            double bt = 0, mt = 0;
            if (gaussian is null)
            {
                bt = TensorPrimitives.Dot(baseBias, row);
                mt = TensorPrimitives.Dot(a, row);
            }
            else
            {
                var xr = x.AsSpan(r * d, d);
                for (int i = 0; i < d; i++)
                {
                    double s = sigma![i];
                    double u = (row[i] - baseBias[i]) / s, q = (row[i] - a[i]) / s;
                    bt += 0.5 * u * u;
                    mt += 0.5 * q * q;
                    xr[i] = (float)(row[i] / s);
                }
            }
            baseTerm[r] = bt;
            modelTerm[r] = mt;
        }

        void Project()
        {
            if (binary is not null && binary.Visible.Collect(backend, v, 0, runs)) binary.Visible.Multiply(backend, 0, runs, binary.Rows, pre);
            else RbmKernels.VisibleToHidden(backend, gaussian is null ? v : x, runs, w, d, h, pre);
            backend.For(runs, RbmKernels.Grain(h), (s, e) =>
            {
                for (int r = s; r < e; r++) TensorPrimitives.Add(pre.AsSpan(r * h, h), b, pre.AsSpan(r * h, h));
            });
        }
    }

    /// <summary>Index storage for 0/1 visible and hidden sample rows, and W as panels for their products (W does not change during AIS).</summary>
    private sealed class BinaryProducts
    {
        public BinaryProducts(IComputeBackend backend, float[] w, int runs, int d, int h)
        {
            Visible = new Training.BinaryRows(runs, d);
            Hidden = new Training.BinaryRows(runs, h);
            Rows = new Training.BinaryPanels(d, h);
            Columns = new Training.BinaryPanels(h, d);
            Training.BinaryPanels.Pack(backend, w, d, h, Rows, Columns);
        }

        public Training.BinaryRows Visible { get; }
        public Training.BinaryRows Hidden { get; }
        public Training.BinaryPanels Rows { get; }
        public Training.BinaryPanels Columns { get; }
    }

    /// <summary>log Z = log Z_A + log mean exp(log w); the spread from the weights' standard error (3 sigma).</summary>
    internal static LogPartitionEstimate Combine(double[] logw, double logZA, int runs, int steps)
    {
        double max = double.NegativeInfinity;
        foreach (var lw in logw) if (lw > max) max = lw;
        double sum = 0, sumSq = 0;
        foreach (var lw in logw)
        {
            double e = Math.Exp(lw - max);
            sum += e;
            sumSq += e * e;
        }
        double meanW = sum / runs;
        double variance = Math.Max(0, (sumSq - runs * meanW * meanW) / (runs - 1));
        double se = Math.Sqrt(variance / runs);
        double logZ = logZA + max + Math.Log(meanW);
        double lower = meanW - 3 * se > 0 ? logZA + max + Math.Log(meanW - 3 * se) : double.NegativeInfinity;
        double upper = logZA + max + Math.Log(meanW + 3 * se);
        return new LogPartitionEstimate(logZ, lower, upper, "ais", runs, steps);

    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Cuda;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;
using FreeEnergy.Estimation;
using FreeEnergy.Models;

namespace FreeEnergy.Tests.Cuda;

/// <summary>Builds <see cref="KernelHostDriver"/> once with g++ against the embedded kernel sources.</summary>
public sealed class KernelHostFixture : IDisposable
{
    public KernelHostFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "fe-kernel-host-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        var compiler = CxxCompilerFactAttribute.FindCompiler();
        if (compiler is null) return;
        foreach (var file in CudaKernelSources.Modules.Concat(CudaKernelSources.Headers))
            File.WriteAllText(Path.Combine(Directory, file), CudaKernelSources.Read(file));
        File.WriteAllText(Path.Combine(Directory, "kernel_host.cpp"), KernelHostDriver.Source);
        Executable = Path.Combine(Directory, "kernel_host");
        var (code, _, err) = KernelHostTests.Execute(compiler, $"-std=c++17 -O1 -o {Executable} {Path.Combine(Directory, "kernel_host.cpp")}", "");
        BuildError = code == 0 ? null : err;
    }

    public string Directory { get; }
    public string? Executable { get; }
    public string? BuildError { get; }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A fact skipped, with the reason, where no C++ compiler is on PATH.</summary>
public sealed class CxxCompilerFactAttribute : FactAttribute
{
    public CxxCompilerFactAttribute()
    {
        if (FindCompiler() is null) Skip = "no C++ compiler (g++, c++ or clang++) on PATH to run the kernel sources on the host.";
    }

    internal static string? FindCompiler()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            foreach (var name in new[] { "g++", "c++", "clang++" })
                if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }
}

/// <summary>
/// The CUDA kernels' own source, compiled for the host (one thread per block), against the C# CPU engine
/// or a scalar double reference: catches wrong formulas, index mix-ups and reduction bugs without a GPU.
/// (What it cannot catch: launch geometry and argument marshalling, which build/gpu-check.sh checks on a GPU.)
/// </summary>
public class KernelHostTests(KernelHostFixture host) : IClassFixture<KernelHostFixture>
{
    private static float[] Data(int n, ulong stream, float scale)
    {
        var x = new float[n];
        Philox.FillUniform(77, stream, 0, x);
        for (int i = 0; i < n; i++) x[i] = (x[i] * 2f - 1f) * scale;
        return x;
    }

    private float[] Run(string kernel, string scalars, params float[][] arrays)
    {
        Assert.True(host.Executable is not null && host.BuildError is null, $"kernel host build failed: {host.BuildError}");
        var input = new StringBuilder(kernel).Append(' ').Append(scalars).Append('\n');
        foreach (var a in arrays) foreach (var v in a) input.Append(BitConverter.SingleToUInt32Bits(v).ToString(CultureInfo.InvariantCulture)).Append('\n');
        var (code, output, err) = Execute(host.Executable!, "", input.ToString());
        Assert.True(code == 0, $"{kernel}: exit {code}: {err}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => BitConverter.UInt32BitsToSingle(uint.Parse(s, CultureInfo.InvariantCulture))).ToArray();
    }

    private static string Bits(float f) => BitConverter.SingleToUInt32Bits(f).ToString(CultureInfo.InvariantCulture);

    private static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = Math.Abs((double)actual[i] - expected[i]) / Math.Max(1.0, Math.Abs(expected[i]));
            Assert.True(e <= tolerance, $"{what}[{i}]: kernel {actual[i]} vs reference {expected[i]}");
        }
    }

    [CxxCompilerFact]
    public void ActivationsMatchTheCpuEngine()
    {
        int rows = 7, cols = 13, n = rows * cols;
        var x = Data(n, 1, 30f); x[0] = 0f; x[1] = -88f; x[2] = 88f;
        var bias = Data(cols, 2, 2f);
        var bs = new float[n];
        for (int i = 0; i < n; i++) bs[i] = Activations.Sigmoid(x[i] + bias[i % cols]);
        Close(bs, Run("fe_bias_sigmoid", $"{rows} {cols}", x, bias), 1e-6, "biasSigmoid");
        var added = (float[])x.Clone();
        Activations.AddRowBias(added, bias);
        Close(added, Run("fe_add_row_bias", $"{rows} {cols}", x, bias), 0, "addRowBias");
        Close(x.Select(v => v * -0.25f).ToArray(), Run("fe_scale", $"{n} {Bits(-0.25f)}", x), 0, "scale");
    }

    [CxxCompilerFact]
    public void SamplersDrawTheCpuSamplersNumbers()
    {
        int n = 203;
        ulong seed = 0xABCDEF0123UL, stream = Philox.Stream(1, 2, 3), start = 0xFFFFFFFEUL;
        var p = Data(n, 3, 1f).Select(Math.Abs).ToArray();
        var bern = new float[n];
        Sampling.Bernoulli(p, bern, seed, stream, start);
        Close(bern, Run("fe_bernoulli", $"{n} 0 {seed} {stream} {start}", p), 0, "bernoulli");

        var mean = Data(n, 4, 3f);
        var gauss = new float[n];
        Sampling.Gaussian(mean, 0.5f, gauss, seed, stream, start + 1);
        Close(gauss, Run("fe_gaussian", $"{n} {Bits(0.5f)} {seed} {stream} {start + 1}", mean), 1e-6, "gaussian");
    }

    [CxxCompilerFact]
    public void ReductionsMatchScalarReferences()
    {
        int rows = 9, cols = 41;
        var m = Data(rows * cols, 5, 20f);
        m[cols * 3 + 5] = float.NegativeInfinity;
        var colSums = new float[cols];
        var finite = m.Select(v => float.IsInfinity(v) ? 0f : v).ToArray();
        for (int c = 0; c < cols; c++) { double s = 0; for (int r = 0; r < rows; r++) s += finite[r * cols + c]; colSums[c] = (float)(s * 0.5); }
        Close(colSums, Run("fe_column_sums", $"{rows} {cols} {Bits(0.5f)}", finite), 1e-6, "columnSums");
    }

    [CxxCompilerFact]
    public void RbmFreeEnergyMatchesTheDefinition()
    {
        int batch = 5, d = 11, h = 7;
        var v = Data(batch * d, 6, 1f).Select(x => x > 0 ? 1f : 0f).ToArray();
        var w = Data(d * h, 7, 0.5f); var b = Data(d, 8, 1f); var c = Data(h, 9, 1f);
        var pre = new float[batch * h];
        new CpuBackend(1).Gemm(Transpose.None, Transpose.None, batch, h, d, 1f, v, d, w, h, 0f, pre, h);
        var expected = new float[batch];
        for (int r = 0; r < batch; r++)
        {
            // Independent form: F(v) = -log sum_h exp(-E(v, h)) by enumerating all 2^h hidden states.
            double[] terms = new double[1 << h];
            for (int mask = 0; mask < 1 << h; mask++)
            {
                double negE = 0;
                for (int i = 0; i < d; i++) negE += v[r * d + i] * b[i];
                for (int j = 0; j < h; j++) if ((mask >> j & 1) == 1) negE += pre[r * h + j] + c[j];
                terms[mask] = negE;
            }
            double max = terms.Max();
            expected[r] = (float)-(max + Math.Log(terms.Sum(t => Math.Exp(t - max))));
        }
        Close(expected, Run("fe_rbm_free_energy_rows", $"{batch} {d} {h}", v, b, pre, c), 1e-5, "rbmFreeEnergy");
    }

    [CxxCompilerFact]
    public void OptimizersFollowTheirDocumentedUpdates()
    {
        int n = 50;
        var p = Data(n, 10, 1f); var g = Data(n, 11, 1f); var m = Data(n, 12, 0.1f); var v = Data(n, 13, 0.01f).Select(Math.Abs).ToArray();
        float lr = 0.01f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.001f; int step = 2;
        double c1 = 1 - Math.Pow(b1, step), c2 = 1 - Math.Pow(b2, step);
        var ep = new float[n]; var em = new float[n]; var ev = new float[n];
        for (int i = 0; i < n; i++)
        {
            double gi = g[i] + (double)wd * p[i];
            em[i] = (float)(b1 * (double)m[i] + (1 - (double)b1) * gi);
            ev[i] = (float)(b2 * (double)v[i] + (1 - (double)b2) * gi * gi);
            ep[i] = (float)(p[i] - lr * (em[i] / c1) / (Math.Sqrt(ev[i] / c2) + eps));
        }
        var outAdam = Run("fe_adam", $"{n} {Bits(lr)} {Bits(b1)} {Bits(b2)} {Bits(eps)} {Bits((float)c1)} {Bits((float)c2)} {Bits(wd)}", p, g, m, v);
        Close(ep, outAdam.AsSpan(0, n), 1e-5, "adam.p");
        Close(em, outAdam.AsSpan(n, n), 1e-5, "adam.m");
        Close(ev, outAdam.AsSpan(2 * n, n), 1e-5, "adam.v");

        var vel = Data(n, 14, 0.1f);
        var qp = new float[n]; var qv = new float[n];
        for (int i = 0; i < n; i++) { qv[i] = (float)(0.9 * vel[i] - 0.05 * (g[i] + 0.001 * p[i])); qp[i] = p[i] + qv[i]; }
        var outMomentum = Run("fe_momentum", $"{n} {Bits(0.05f)} {Bits(0.9f)} {Bits(0.001f)}", p, g, vel);
        Close(qp, outMomentum.AsSpan(0, n), 1e-5, "momentum.p");
        Close(qv, outMomentum.AsSpan(n, n), 1e-5, "momentum.velocity");
    }

    [CxxCompilerFact]
    public void DeviceTrainingKernelsMatchTheHostSeam()
    {
        // The kernels behind CudaDeviceArrays against HostDeviceArrays (the CPU engine's arithmetic).
        FreeEnergy.Compute.Device.IDeviceArrays seam = new FreeEnergy.Compute.Device.HostDeviceArrays(new CpuBackend(1));
        int np = 6, nn = 4, cols = 19;
        var pos = Data(np * cols, 20, 1f); var neg = Data(nn * cols, 21, 1f);
        var diff = seam.Allocate(cols);
        seam.ColumnMeanDifference(seam.Upload(pos), np, seam.Upload(neg), nn, cols, diff);
        Close(seam.ToArray(diff), Run("fe_column_mean_difference", $"{np} {nn} {cols}", pos, neg), 1e-6, "columnMeanDifference");

        var a = Data(np * cols, 22, 3f); var b = Data(np * cols, 23, 3f);
        var err = seam.Allocate(np);
        seam.SquaredErrorRows(seam.Upload(a), seam.Upload(b), err, np, cols);
        Close(seam.ToArray(err), Run("fe_squared_error_rows", $"{np} {cols}", a, b), 1e-6, "squaredErrorRows");

        var m = Data(300, 24, 5f); m[123] = -7.5f;
        Assert.Equal(7.5f, Run("fe_max_magnitude", "300", m)[0]);
        m[7] = float.NaN;
        Assert.Equal(float.PositiveInfinity, Run("fe_max_magnitude", "300", m)[0]);
        m[7] = float.NegativeInfinity;
        Assert.Equal(float.PositiveInfinity, Run("fe_max_magnitude", "300", m)[0]);
        Assert.Equal(0f, Run("fe_max_magnitude", "0")[0]);

        int n = 40;
        var w = Data(n, 25, 1f); w[3] = 0f; var v = Data(n, 26, 0.1f);
        var hw = seam.Upload(w); var hv = seam.Upload(v);
        seam.Ops<IRbmDeviceOps>().WeightStep(hw, hv, 0.01f, 0.002f);
        var step = Run("fe_weight_step", $"{n} {Bits(0.01f)} {Bits(0.002f)}", w, v);
        Close(seam.ToArray(hw), step.AsSpan(0, n), 1e-6, "weightStep.w");
        Close(seam.ToArray(hv), step.AsSpan(n, n), 1e-6, "weightStep.velocity");

        int sourceRows = 8, rows = 5;
        var src = Data(sourceRows * cols, 27, 1f);
        int[] idx = [7, 0, 3, 3, 5];
        var hs = seam.Upload(src); var hi = seam.Allocate(rows); var hd = seam.Allocate(rows * cols);
        seam.UploadIndexes(idx, hi);
        seam.GatherRows(hs, cols, hi, rows, hd);
        Assert.Equal(src.AsSpan(7 * cols, cols).ToArray(), seam.ToArray(hd).AsSpan(0, cols).ToArray());
        var input = new StringBuilder($"fe_gather_rows {sourceRows} {rows} {cols}\n");
        foreach (var x in src) input.Append(Bits(x)).Append('\n');
        foreach (var i in idx) input.Append(i.ToString(CultureInfo.InvariantCulture)).Append('\n');
        var (code, output, stderr) = Execute(host.Executable!, "", input.ToString());
        Assert.True(code == 0, stderr);
        var gathered = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(t => BitConverter.UInt32BitsToSingle(uint.Parse(t, CultureInfo.InvariantCulture))).ToArray();
        Close(seam.ToArray(hd), gathered, 0, "gatherRows");
    }

    [CxxCompilerFact]
    public void AisDeviceKernelsMatchTheHostSeam()
    {
        IDeviceArrays seam = new HostDeviceArrays(new CpuBackend(1));
        int rows = 5, d = 11, h = 7;
        var x = Data(rows * d, 30, 4f); var a = Data(d, 31, 1f); var dif = Data(d, 32, 1f);
        var y = seam.Allocate(rows * d);
        seam.Ops<IAisDeviceOps>().TemperedSigmoid(seam.Upload(x), 0.375f, seam.Upload(a), seam.Upload(dif), y, rows, d);
        Close(seam.ToArray(y), Run("fe_tempered_sigmoid", $"{rows} {d} {Bits(0.375f)}", x, a, dif), 1e-6, "temperedSigmoid");

        var pre = Data(rows * h, 33, 6f); var v = Data(rows * d, 34, 1f).Select(t => t > 0 ? 1f : 0f).ToArray();
        var w = Data(rows, 35, 30f); var comp = Data(rows, 36, 1e-6f);
        var hw = seam.Upload(w); var hc = seam.Upload(comp);
        // Betas exactly representable in float, so the host harness (float protocol) and the seam (double) agree.
        seam.Ops<IAisDeviceOps>().AisLogWeights(seam.Upload(pre), seam.Upload(v), seam.Upload(dif), hw, hc, rows, d, h, 0.25, 0.3125);
        var outWeights = Run("fe_ais_log_weights", $"{rows} {d} {h} {Bits(0.25f)} {Bits(0.3125f)}", pre, v, dif, w, comp);
        Close(seam.ToArray(hw), outWeights.AsSpan(0, rows), 1e-6, "aisLogWeights");
        Close(seam.ToArray(hc), outWeights.AsSpan(rows, rows), 1e-6, "aisCompensation");
    }

    [CxxCompilerFact]
    public void VaeKernelsMatchTheHostSeam()
    {
        IDeviceArrays seam = new HostDeviceArrays(new CpuBackend(1));
        var vae = seam.Ops<IVaeDeviceOps>();
        int rows = 4, cols = 13, latent = 3;
        var identity = new float[cols * cols];
        for (int i = 0; i < cols; i++) identity[i * cols + i] = 1f;
        foreach (var activation in new[] { FreeEnergy.Compute.Activation.Relu, FreeEnergy.Compute.Activation.Tanh, FreeEnergy.Compute.Activation.Softplus })
        {
            var x = Data(rows * cols, 40, 4f); var b = Data(cols, 41, 1f);
            var hx = seam.Allocate(rows * cols);
            vae.Dense(seam.Upload(x), seam.Upload(identity), seam.Upload(b), rows, cols, cols, activation, hx);   // activation(x I + b)
            var post = seam.ToArray(hx);
            Close(post, Run("fe_bias_activation", $"{rows} {cols} {(int)activation}", x, b), 1e-6, $"biasActivation.{activation}");
            var g = Data(rows * cols, 42, 1f);
            var hg = seam.Upload(g);
            vae.ActivationBackward(hg, seam.Upload(post), rows, cols, activation);
            Close(seam.ToArray(hg), Run("fe_activation_backward", $"{rows * cols} {(int)activation}", g, post), 1e-6, $"activationBackward.{activation}");
        }
        var head = Data(rows * 2 * latent, 43, 2f); var eps = Data(rows * latent, 44, 1f); var dz = Data(rows * latent, 45, 1f);
        var z = seam.Allocate(rows * latent);
        vae.Reparameterize(seam.Upload(head), seam.Upload(eps), z, rows, latent);
        Close(seam.ToArray(z), Run("fe_reparameterize", $"{rows} {latent}", head, eps), 1e-6, "reparameterize");
        var kl = seam.Allocate(rows);
        vae.KlRows(seam.Upload(head), kl, rows, latent, 1.5f);
        Close(seam.ToArray(kl), Run("fe_kl_rows", $"{rows} {latent} {Bits(1.5f)}", head), 1e-6, "klRows");
        var hgrad = seam.Allocate(rows * 2 * latent);
        vae.HeadBackward(seam.Upload(head), seam.Upload(eps), seam.Upload(dz), hgrad, rows, latent, 0.125f, 1.5f);
        Close(seam.ToArray(hgrad), Run("fe_head_backward", $"{rows} {latent} {Bits(0.125f)} {Bits(1.5f)}", head, eps, dz), 1e-6, "headBackward");

        var xs = Data(rows * cols, 46, 1f).Select(v => v > 0 ? 1f : 0f).ToArray(); var logits = Data(rows * cols, 47, 8f);
        var hl = seam.Upload(logits); var loss = seam.Allocate(rows);
        vae.BernoulliLogitLossRows(seam.Upload(xs), hl, loss, rows, cols, 0.25f);
        var outLoss = Run("fe_bernoulli_logit_loss_rows", $"{rows} {cols} {Bits(0.25f)}", xs, logits);
        Close(seam.ToArray(loss), outLoss.AsSpan(0, rows), 1e-5, "bernoulliLoss");
        Close(seam.ToArray(hl), outLoss.AsSpan(rows, rows * cols), 1e-6, "bernoulliLossGradient");

        int samples = 3, pairs = rows * samples - 2; // a last row with fewer draws
        var noise = Data(samples * latent, 48, 1.5f);
        var pe = seam.Allocate(pairs * latent); var pz = seam.Allocate(pairs * latent); var pr = seam.Allocate(pairs);
        vae.ReparameterizePairs(seam.Upload(head), seam.Upload(noise), pe, pz, pairs, samples, latent);
        var outPairs = Run("fe_reparameterize_pairs", $"{pairs} {samples} {latent} {Bits(0.7f)}", head, noise);
        Close(seam.ToArray(pe), outPairs.AsSpan(0, pairs * latent), 0, "reparameterizePairs.eps");
        Close(seam.ToArray(pz), outPairs.AsSpan(pairs * latent, pairs * latent), 1e-6, "reparameterizePairs.z");
        vae.LogRatioPairs(pz, seam.Upload(head), pe, pr, pairs, samples, latent, 0.7f);
        Close(seam.ToArray(pr), Run("fe_log_ratio_pairs", $"{pairs} {samples} {latent} {Bits(0.7f)}", head, noise), 1e-5, "logRatioPairs");
    }

    [CxxCompilerFact]
    public void ImportanceWeightedAndTwoLevelKernelsMatchTheHostSeam()
    {
        IDeviceArrays seam = new HostDeviceArrays(new CpuBackend(1));
        var vae = seam.Ops<IVaeDeviceOps>();
        var levels = seam.Ops<IHierarchicalVaeDeviceOps>();
        int rows = 4, samples = 3, pairs = rows * samples, latent = 3, upper = 2, cols = 5;
        var head = Data(pairs * 2 * latent, 60, 2f); var eps = Data(pairs * latent, 61, 1f); var z = Data(pairs * latent, 62, 2f);
        var dz = Data(pairs * latent, 63, 1f); var w = Data(pairs, 64, 1f);
        var hgrad = seam.Allocate(pairs * 2 * latent);
        vae.ImportanceHeadBackward(seam.Upload(head), seam.Upload(eps), seam.Upload(z), seam.Upload(dz), seam.Upload(w), hgrad, pairs, latent, 1.5f);
        Close(seam.ToArray(hgrad), Run("fe_importance_head_backward", $"{pairs} {latent} {Bits(1.5f)}", head, eps, z, dz, w), 1e-6, "importanceHeadBackward");

        var recon = Data(pairs, 65, 20f).Select(v => 30f + v).ToArray(); var ratio1 = Data(pairs, 66, 3f); var ratio2 = Data(pairs, 67, 3f);
        var scale = seam.Allocate(pairs); var weight = seam.Allocate(pairs); var bound = seam.Allocate(rows);
        vae.ImportanceWeights(seam.Upload(recon), seam.Upload(ratio1), 0.75f, seam.Upload(ratio2), 1.25f, rows, samples, 0.25f, 1.25f, scale, weight, bound);
        var outWeights = Run("fe_importance_weights", $"{rows} {samples} {Bits(0.75f)} {Bits(1.25f)} {Bits(0.25f)} {Bits(1.25f)}", recon, ratio1, ratio2);
        Close(seam.ToArray(bound), outWeights.AsSpan(0, rows), 1e-6, "importanceWeights.bound");
        Close(seam.ToArray(scale), outWeights.AsSpan(rows, pairs), 1e-6, "importanceWeights.scale");
        Close(seam.ToArray(weight), outWeights.AsSpan(rows + pairs, pairs), 1e-6, "importanceWeights.weight");

        var m = Data(pairs * cols, 68, 2f);
        var hm = seam.Upload(m);
        vae.ScaleRows(hm, scale, pairs, cols);
        Close(seam.ToArray(hm), Run("fe_scale_rows", $"{pairs} {cols}", m, seam.ToArray(scale)), 0, "scaleRows");

        var noise = Data(pairs * (latent + upper), 69, 1f);
        var left = seam.Allocate(pairs * latent); var right = seam.Allocate(pairs * upper);
        levels.SplitColumns(seam.Upload(noise), pairs, latent, upper, left, right);
        var outSplit = Run("fe_split_columns", $"{pairs} {latent} {upper}", noise);
        Close(seam.ToArray(left), outSplit.AsSpan(0, pairs * latent), 0, "splitColumns.left");
        Close(seam.ToArray(right), outSplit.AsSpan(pairs * latent, pairs * upper), 0, "splitColumns.right");

        var priorHead = Data(pairs * 2 * latent, 70, 1.5f);
        var ratio = seam.Allocate(pairs);
        levels.PriorLogRatioRows(seam.Upload(z), seam.Upload(head), seam.Upload(eps), seam.Upload(priorHead), ratio, pairs, latent);
        Close(seam.ToArray(ratio), Run("fe_prior_log_ratio_rows", $"{pairs} {latent}", z, head, eps, priorHead), 1e-5, "priorLogRatio");

        var priorGrad = seam.Allocate(pairs * 2 * latent); var hdz = seam.Upload(dz);
        levels.PriorBackward(seam.Upload(z), seam.Upload(priorHead), scale, 0.5f, priorGrad, hdz, pairs, latent);
        var outPrior = Run("fe_prior_backward", $"{pairs} {latent} {Bits(0.5f)}", z, priorHead, seam.ToArray(scale), dz);
        Close(seam.ToArray(priorGrad), outPrior.AsSpan(0, pairs * 2 * latent), 1e-6, "priorBackward.head");
        Close(seam.ToArray(hdz), outPrior.AsSpan(pairs * 2 * latent, pairs * latent), 1e-6, "priorBackward.dz1");

        var up = Data(pairs * latent, 71, 1f);
        var postGrad = seam.Allocate(pairs * 2 * latent); var hdz2 = seam.Upload(dz);
        levels.PosteriorHeadBackward(seam.Upload(head), seam.Upload(eps), hdz2, seam.Upload(up), scale, 0.5f, postGrad, pairs, latent);
        var outPost = Run("fe_posterior_head_backward", $"{pairs} {latent} {Bits(0.5f)}", head, eps, dz, up, seam.ToArray(scale));
        Close(seam.ToArray(postGrad), outPost.AsSpan(0, pairs * 2 * latent), 1e-6, "posteriorHeadBackward.head");
        Close(seam.ToArray(hdz2), outPost.AsSpan(pairs * 2 * latent, pairs * latent), 0, "posteriorHeadBackward.dz1");
    }

    [CxxCompilerFact]
    public void GaussianRbmKernelsMatchTheHostSeam()
    {
        IDeviceArrays seam = new HostDeviceArrays(new CpuBackend(1));
        int rows = 6, d = 9, h = 5;
        var wh = Data(rows * d, 50, 3f); var a = Data(d, 51, 1f); var sigma = Data(d, 52, 1f).Select(v => 0.5f + Math.Abs(v)).ToArray();
        ulong seed = 77, stream = Philox.Stream(9, 8, 7), start = 5;
        var outV = seam.Allocate(rows * d);
        seam.Ops<IRbmDeviceOps>().GaussianVisible(seam.Upload(wh), seam.Upload(a), seam.Upload(sigma), outV, rows, d, seed, stream, start);
        // FMA contraction of mean + sigma z may differ in the last bit between gcc and .NET: one part in 1e-6.
        Close(seam.ToArray(outV), Run("fe_gaussian_visible", $"{rows} {d} {seed} {stream} {start}", wh, a, sigma), 1e-6, "gaussianVisible");
        var x = seam.Upload(wh);
        seam.DivideColumns(x, seam.Upload(sigma), rows, d);
        Close(seam.ToArray(x), Run("fe_divide_columns", $"{rows} {d}", wh, sigma), 0, "divideColumns");
        var y = seam.Allocate(rows * d);
        seam.ScaleShiftColumns(seam.Upload(wh), seam.Upload(sigma), seam.Upload(a), y, rows, d);
        Close(seam.ToArray(y), Run("fe_scale_shift_columns", $"{rows} {d}", wh, sigma, a), 1e-6, "scaleShiftColumns");
        var pre = Data(rows * h, 53, 4f); var c = Data(h, 54, 1f);
        var f = seam.Allocate(rows);
        seam.Ops<IRbmDeviceOps>().GaussianRbmFreeEnergyRows(seam.Upload(wh), seam.Upload(a), seam.Upload(sigma), seam.Upload(pre), seam.Upload(c), f, rows, d, h);
        Close(seam.ToArray(f), Run("fe_gaussian_rbm_free_energy_rows", $"{rows} {d} {h}", wh, a, sigma, pre, c), 1e-5, "gaussianRbmFreeEnergy");
    }

    [CxxCompilerFact]
    public void TapKernelsMatchTheHostSeam()
    {
        IDeviceArrays seam = new HostDeviceArrays(new CpuBackend(1));
        int rows = 5, cols = 11, n = rows * cols;
        foreach (int order in new[] { 2, 3 })
        {
            bool third = order == 3;
            var w = Data(n, 60, 1.5f);
            var square = seam.Allocate(n); var cube = seam.Allocate(n);
            seam.Ops<ITapDeviceOps>().TapPowers(seam.Upload(w), square, third ? (DeviceSlice?)cube : null);
            var powers = Run("fe_tap_powers", $"{n} {order}", w);
            Close(seam.ToArray(square), powers.AsSpan(0, n), 0, $"tapPowers.square{order}");
            if (third) Close(seam.ToArray(cube), powers.AsSpan(n, n), 1e-6, "tapPowers.cube");
            Assert.Equal(third ? 2 * n : n, powers.Length);

            // Magnetisations in (0, 1), the clamp bounds included.
            var m = Data(n, 61, 0.5f).Select(v => v + 0.5f).ToArray(); m[0] = 1e-7f; m[1] = 1f;
            var variance = seam.Allocate(n); var skewness = seam.Allocate(n);
            seam.Ops<ITapDeviceOps>().TapMoments(seam.Upload(m), variance, third ? (DeviceSlice?)skewness : null);
            var moments = Run("fe_tap_moments", $"{n} {order}", m);
            Close(seam.ToArray(variance), moments.AsSpan(0, n), 1e-6, $"tapMoments.variance{order}");
            if (third) Close(seam.ToArray(skewness), moments.AsSpan(n, n), 1e-6, "tapMoments.skewness");

            // Fields large enough to saturate the sigmoid (so the clamp acts) in a few places.
            var field = Data(n, 62, 6f); field[2] = 40f; field[3] = -40f;
            var second = Data(n, 63, 2f); var third3 = Data(n, 64, 2f); var bias = Data(cols, 65, 1f);
            var hm = seam.Upload(m);
            seam.Ops<ITapDeviceOps>().TapUpdate(seam.Upload(field), seam.Upload(second), third ? (DeviceSlice?)seam.Upload(third3) : null, seam.Upload(bias), hm, rows, cols, 0.25f);
            var updated = Run("fe_tap_update", $"{rows} {cols} {order} {Bits(0.25f)} {Bits(FreeEnergy.Estimation.TapExpansion.Epsilon)}", field, second, third3, bias, m);
            Close(seam.ToArray(hm), updated, 1e-6, $"tapUpdate{order}");

            var g1 = Data(n, 66, 1f); var g2 = Data(n, 67, 1f); var g3 = Data(n, 68, 1f); var vel = Data(n, 69, 1f);
            var hv = seam.Upload(vel);
            seam.Ops<ITapDeviceOps>().TapWeightVelocity(seam.Upload(w), seam.Upload(g1), seam.Upload(g2), third ? (DeviceSlice?)seam.Upload(g3) : null, hv, -0.125f);
            Close(seam.ToArray(hv), Run("fe_tap_weight_velocity", $"{n} {order} {Bits(-0.125f)}", w, g1, g2, g3, vel), 1e-6, $"tapWeightVelocity{order}");
        }
    }

    internal static (int Code, string Out, string Err) Execute(string file, string arguments, string input)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

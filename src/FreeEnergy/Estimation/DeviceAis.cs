using FreeEnergy.Compute;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;

namespace FreeEnergy.Estimation;

/// <summary>
/// <see cref="AnnealedImportanceSampling"/> for a Bernoulli RBM with all runs resident on a device
/// (<see cref="IDeviceArrays"/>): per temperature one row kernel for the log-weights (Kahan-compensated float), one
/// GEMM and one tempered sigmoid + Bernoulli draw per layer; only the final log-weights come back. The draws are the
/// CPU estimator's (same streams and indexes), so the two agree up to rounding.
/// </summary>
internal static class DeviceAis
{
    public static double[] LogWeights(IDeviceArrays device, BernoulliRbm model, float[] baseBias, double[] betas, int runs, ulong seed, IProgress<double>? progress = null)
    {
        int d = model.Visible, h = model.Hidden;
        var ais = device.Ops<IAisDeviceOps>();
        var difference = new float[d];
        for (int i = 0; i < d; i++) difference[i] = model.VisibleBias[i] - baseBias[i];
        var owned = new List<DeviceArray>();
        DeviceArray Own(int length) { var a = device.Allocate(length); owned.Add(a); return a; }
        DeviceArray Up(float[] values) { var a = Own(values.Length); device.Upload(values, a); return a; }
        try
        {
            var w = Up(model.Weights);
            var c = Up(model.HiddenBias);
            var aA = Up(baseBias);
            var diff = Up(difference);
            var zerosH = Own(h);
            var zerosD = Own(d);
            var v = Own(runs * d);
            var pre = Own(runs * h);
            var hs = Own(runs * h);
            var vm = Own(runs * d);
            var logw = Own(runs);
            var comp = Own(runs);

            // v_0 ~ base model: sigmoid(b_A) per column.
            ais.TemperedSigmoid(v, 0f, aA, zerosD, vm, runs, d);
            device.Bernoulli(vm, v, seed, Philox.Stream(AnnealedImportanceSampling.StreamBase, 0), 0);
            Project();
            for (int k = 1; k < betas.Length; k++)
            {
                double bPrev = betas[k - 1], bNow = betas[k];
                float beta = (float)bNow;
                ulong step = (ulong)k;
                ais.AisLogWeights(pre, v, diff, logw, comp, runs, d, h, bPrev, bNow);
                AisOptions.ReportStep(progress, k, betas.Length - 1);
                if (k == betas.Length - 1) break;
                // h ~ p_beta(h | v) = sigmoid(beta (vW + c)); v ~ p_beta(v | h) = sigmoid(beta (W h + b) + (1 - beta) b_A).
                ais.TemperedSigmoid(pre, beta, zerosH, zerosH, hs, runs, h);
                device.Bernoulli(hs, hs, seed, Philox.Stream(AnnealedImportanceSampling.StreamHidden, step), 0);
                device.Gemm(Transpose.None, Transpose.Transposed, runs, d, h, 1f, hs, h, w, h, 0f, vm, d);
                ais.TemperedSigmoid(vm, beta, aA, diff, vm, runs, d);
                device.Bernoulli(vm, v, seed, Philox.Stream(AnnealedImportanceSampling.StreamVisible, step), 0);
                Project();
            }
            var sum = new float[runs];
            var lost = new float[runs];
            device.Download(logw, sum);
            device.Download(comp, lost);
            var result = new double[runs];
            for (int r = 0; r < runs; r++) result[r] = (double)sum[r] - lost[r];
            return result;

            void Project()
            {
                device.Gemm(Transpose.None, Transpose.None, runs, h, d, 1f, v, d, w, h, 0f, pre, h);
                device.AddRowBias(pre, c, runs, h);
            }
        }
        finally
        {
            foreach (var a in owned) a.Dispose();
        }
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Cuda;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

namespace FreeEnergy.GpuCheck;

/// <summary>
/// The device-resident trainers on the GPU: CPU vs CUDA training parity on small MNIST-like data (same seed, same
/// Philox draws; GEMM rounding differs, so a sample whose probability sits on its uniform can flip and the models
/// agree statistically, not bit for bit), and per-epoch timings at benchmark sizes.
/// </summary>
internal static class DeviceTraining
{
    /// <summary>MNIST-like binary rows: a few stroke prototypes, each row one of them shifted by up to a pixel with 2% noise.</summary>
    public static Matrix DigitLike(int rows, ulong seed)
    {
        const int size = 28, prototypes = 10;
        var rng = new RandomStream(seed, 10);
        var protos = new float[prototypes][];
        for (int p = 0; p < prototypes; p++)
        {
            var img = new float[size * size];
            int strokes = 2 + rng.NextInt(3);
            for (int s = 0; s < strokes; s++)
            {
                float x0 = 6 + 16 * rng.NextFloat(), y0 = 6 + 16 * rng.NextFloat(), x1 = 6 + 16 * rng.NextFloat(), y1 = 6 + 16 * rng.NextFloat();
                for (int t = 0; t <= 40; t++)
                {
                    float x = x0 + (x1 - x0) * t / 40f, y = y0 + (y1 - y0) * t / 40f;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            int xi = (int)x + dx, yi = (int)y + dy;
                            if (xi >= 0 && xi < size && yi >= 0 && yi < size) img[yi * size + xi] = 1f;
                        }
                }
            }
            protos[p] = img;
        }
        var m = new Matrix(rows, size * size);
        for (int r = 0; r < rows; r++)
        {
            var proto = protos[rng.NextInt(prototypes)];
            int sx = rng.NextInt(3) - 1, sy = rng.NextInt(3) - 1;
            var row = m.Row(r);
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    int xs = x - sx, ys = y - sy;
                    float v = xs >= 0 && xs < size && ys >= 0 && ys < size ? proto[ys * size + xs] : 0f;
                    row[y * size + x] = rng.NextFloat() < 0.02f ? 1f - v : v;
                }
        }
        return m;
    }

    /// <summary>CPU vs CUDA: the same RBM training (CD-1, PCD-1, TAP-2 or TAP-3, 3 epochs, 64 hidden units) on 2000 MNIST-like rows.</summary>
    public static JsonObject RbmParity(CudaBackend gpu, string phase)
    {
        var data = DigitLike(2000, 5);
        var valid = DigitLike(300, 6);
        RbmTrainingOptions Options(FreeEnergy.Compute.IComputeBackend backend) => new()
        {
            HiddenUnits = 64, Epochs = 3, BatchSize = 100, LearningRate = 0.05f, Momentum = 0.5f, Seed = 7, Backend = backend,
            NegativePhase = phase switch
            {
                "cd1" => NegativePhase.ContrastiveDivergence(1),
                "tap2" => NegativePhase.Tap(2, 3, 0.5f),
                "tap3" => NegativePhase.Tap(3, 3, 0.5f),
                _ => NegativePhase.PersistentContrastiveDivergence(1),
            },
            L2WeightDecay = 1e-4f, ValidationData = valid, MonitorRows = 300,
        };
        var cpuReports = new List<TrainingProgress>();
        var gpuReports = new List<TrainingProgress>();
        var cpu = RbmTrainer.TrainBernoulli(data.View, Options(CpuBackend.Default), new Collect(cpuReports));
        var dev = RbmTrainer.TrainBernoulli(data.View, Options(gpu), new Collect(gpuReports));
        double diff = 0, norm = 0, maxAbs = 0;
        for (int i = 0; i < cpu.Weights.Length; i++)
        {
            double e = (double)dev.Weights[i] - cpu.Weights[i];
            diff += e * e;
            norm += (double)cpu.Weights[i] * cpu.Weights[i];
            maxAbs = Math.Max(maxAbs, Math.Abs(e));
        }
        double relativeRms = Math.Sqrt(diff / Math.Max(norm, 1e-30));
        var cpuLast = cpuReports[^1];
        var gpuLast = gpuReports[^1];
        double errorRatio = gpuLast.TrainingLoss / cpuLast.TrainingLoss;
        // Same draws: the weights agree to a small fraction of their norm and the reconstruction errors to a few percent.
        bool ok = relativeRms < 0.05 && Math.Abs(errorRatio - 1) < 0.05 && double.IsFinite(gpuLast.FreeEnergyGap);
        return new JsonObject
        {
            ["name"] = $"training.rbm.{phase}",
            ["passed"] = ok,
            ["weightsRelativeRmsDifference"] = relativeRms,
            ["weightsMaxAbsDifference"] = maxAbs,
            ["cpuReconstructionError"] = cpuLast.TrainingLoss,
            ["gpuReconstructionError"] = gpuLast.TrainingLoss,
            ["cpuValidationError"] = cpuLast.ValidationLoss,
            ["gpuValidationError"] = gpuLast.ValidationLoss,
            ["cpuFreeEnergyGap"] = cpuLast.FreeEnergyGap,
            ["gpuFreeEnergyGap"] = gpuLast.FreeEnergyGap,
            ["rule"] = "relative RMS weight difference < 0.05 and reconstruction errors within 5%",
        };
    }

    /// <summary>Seconds per epoch of device-resident CD-1, 784 x <paramref name="hidden"/>, batch 100, on <paramref name="rows"/> MNIST-like rows.</summary>
    public static JsonObject RbmEpochs(CudaBackend gpu, int rows, int hidden, int epochs)
    {
        var data = DigitLike(rows, 9);
        var times = new List<double>();
        double previous = 0;
        var reports = new List<TrainingProgress>();
        var progress = new Collect(reports, p => { times.Add(p.Seconds - previous); previous = p.Seconds; });
        var clock = Stopwatch.StartNew();
        RbmTrainer.TrainBernoulli(data.View, new RbmTrainingOptions
        {
            HiddenUnits = hidden, Epochs = epochs, BatchSize = 100, LearningRate = 0.05f, Momentum = 0.5f, Seed = 1, Backend = gpu, MonitorRows = 1000,
            NegativePhase = NegativePhase.ContrastiveDivergence(1), L2WeightDecay = 0f, LearningRateSchedule = LearningRateSchedule.Constant, // as the PyTorch peer
        }, progress);
        double total = clock.Elapsed.TotalSeconds;
        var steady = times.Count > 1 ? times.Skip(1).ToList() : times;
        return new JsonObject
        {
            ["model"] = $"bernoulli rbm 784x{hidden}, cd-1, batch 100, momentum 0.5",
            ["rows"] = rows,
            ["epochs"] = epochs,
            ["epochSeconds"] = new JsonArray(times.Select(t => (JsonNode)t).ToArray()),
            ["secondsPerEpoch"] = steady.Average(),
            ["totalSecondsIncludingUpload"] = total,
            ["finalReconstructionError"] = reports[^1].TrainingLoss,
        };
    }

    /// <summary>Seconds per epoch of device-resident VAE 784-400-20 training (ReLU, Bernoulli decoder, Adam, batch 128).</summary>
    public static JsonObject VaeEpochs(FreeEnergy.Compute.IComputeBackend backend, int rows, int epochs)
    {
        var data = DigitLike(rows, 11);
        var times = new List<double>();
        double previous = 0;
        var reports = new List<TrainingProgress>();
        var progress = new Collect(reports, p => { times.Add(p.Seconds - previous); previous = p.Seconds; });
        VaeTrainer.Train(data.View, null, new VaeTrainingOptions { LatentDimension = 20, EncoderLayers = [400], BatchSize = 128, Epochs = epochs, LearningRate = 1e-3f, Seed = 1 },
            backend, progress);
        var steady = times.Count > 1 ? times.Skip(1).ToList() : times;
        return new JsonObject
        {
            ["model"] = "vae 784-400-20 relu, bernoulli decoder, adam, batch 128",
            ["backend"] = backend.Name,
            ["deviceResident"] = backend is CudaBackend,
            ["rows"] = rows,
            ["epochs"] = epochs,
            ["epochSeconds"] = new JsonArray(times.Select(t => (JsonNode)t).ToArray()),
            ["secondsPerEpoch"] = steady.Average(),
            ["finalTrainingLoss"] = reports[^1].TrainingLoss,
        };
    }

    /// <summary>
    /// CPU vs CUDA: the same VAE training (784-64-8, or the two-level 784-64-8-32-4, 2 epochs, batch 64; the ELBO or the
    /// k-sample bound) on 1000 MNIST-like rows, same shuffles and noise.
    /// </summary>
    public static JsonObject VaeParity(CudaBackend gpu, bool twoLevel = false, int importanceSamples = 1)
    {
        var data = DigitLike(1000, 12);
        var valid = DigitLike(200, 13);
        var options = new VaeTrainingOptions
        {
            LatentDimension = 8, EncoderLayers = [64], BatchSize = 64, Epochs = 2, LearningRate = 1e-3f, Seed = 3, ImportanceSamples = importanceSamples,
            UpperLatentDimension = twoLevel ? 4 : 0, UpperLayers = twoLevel ? [32] : null,
        };
        IVariationalModel Create() => twoLevel ? HierarchicalVae.Create(784, options) : Vae.Create(784, options);
        IReadOnlyList<TrainingProgress> Fit(IVariationalModel model) => model is HierarchicalVae h
            ? HierarchicalVaeTrainer.Fit(h, data.View, valid.View, options)
            : VaeTrainer.Fit((Vae)model, data.View, valid.View, options);
        var cpu = Create();
        var dev = Create();
        cpu.Backend = CpuBackend.Default;
        dev.Backend = gpu;
        var cpuRun = Fit(cpu);
        var gpuRun = Fit(dev);
        double trainRatio = gpuRun[^1].TrainingLoss / cpuRun[^1].TrainingLoss;
        double validRatio = gpuRun[^1].ValidationLoss / cpuRun[^1].ValidationLoss;
        var fc = cpu.FreeEnergy(valid.View);
        var fg = dev.FreeEnergy(valid.View);
        double diff = 0;
        for (int i = 0; i < fc.Length; i++) diff = Math.Max(diff, Math.Abs(fc[i] - fg[i]) / Math.Max(1, Math.Abs(fc[i])));
        // No sampling decision depends on rounding here (Gaussian noise, no thresholds): only GEMM rounding separates the runs.
        bool ok = Math.Abs(trainRatio - 1) < 1e-2 && Math.Abs(validRatio - 1) < 1e-2 && diff < 1e-2;
        return new JsonObject
        {
            ["name"] = $"training.{(twoLevel ? "vae2" : "vae")}.bernoulli{(importanceSamples > 1 ? $".iwae{importanceSamples}" : "")}",
            ["passed"] = ok,
            ["cpuTrainingLoss"] = cpuRun[^1].TrainingLoss,
            ["gpuTrainingLoss"] = gpuRun[^1].TrainingLoss,
            ["cpuValidationLoss"] = cpuRun[^1].ValidationLoss,
            ["gpuValidationLoss"] = gpuRun[^1].ValidationLoss,
            ["maxRelativeFreeEnergyDifference"] = diff,
            ["rule"] = "training and validation loss within 1% and per-row F_q within 1e-2 relative (GEMM rounding only)",
        };
    }

    private sealed class Collect(List<TrainingProgress> reports, Action<TrainingProgress>? also = null) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            reports.Add(value);
            also?.Invoke(value);
        }
    }
}

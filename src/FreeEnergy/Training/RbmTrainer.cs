using System.Globalization;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Cuda;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// Trains RBMs by stochastic gradient ascent on the log-likelihood with a CD-k, PCD-k or TAP negative phase
/// (see <see cref="RbmTrainingOptions"/>). Batched: matrix products go through the backend, elementwise work is
/// parallel over rows, random numbers are drawn by (seed, stream, index), so the same seed and thread count give
/// bit-identical models (and, with a GEMM whose results do not depend on the thread count, any thread count).
/// With a <see cref="CudaBackend"/>, CD-k, PCD-k and TAP of a Bernoulli RBM and CD-k and PCD-k of a fixed-sigma Gaussian
/// RBM run device-resident (data, parameters and chains or magnetisations on the GPU, the same random draws as the CPU
/// loop; see docs/cuda.md); LearnSigma runs the CPU loop with the backend's GEMM.
/// Thread safety: the static methods may run concurrently on different models; the model being trained must not be
/// used by anything else meanwhile (see docs/threading.md and docs/determinism.md).
/// </summary>
public static class RbmTrainer
{
    /// <summary>Creates a Bernoulli RBM initialised from <paramref name="data"/> and trains it.</summary>
    /// <exception cref="DataFormatException">A value is outside [0, 1] or not finite (the message names row and column).</exception>
    /// <exception cref="TrainingDivergedException">The parameters became NaN/infinite (training should be retried with a lower learning rate).</exception>
    public static BernoulliRbm TrainBernoulli(MatrixView data, RbmTrainingOptions? options = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new RbmTrainingOptions();
        var model = CreateBernoulli(data, options);
        Train(model, data, options, progress, cancellationToken);
        return model;
    }

    /// <summary>Creates a Gaussian RBM initialised from <paramref name="data"/> (which should be standardised) and trains it.</summary>
    /// <exception cref="DataFormatException">A value is not finite (the message names row and column).</exception>
    /// <exception cref="TrainingDivergedException">The parameters became NaN/infinite.</exception>
    public static GaussianRbm TrainGaussian(MatrixView data, RbmTrainingOptions? options = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new RbmTrainingOptions();
        var model = CreateGaussian(data, options);
        Train(model, data, options, progress, cancellationToken);
        return model;
    }

    /// <summary>
    /// A new Bernoulli RBM with <see cref="RbmTrainingOptions.HiddenUnits"/> hidden units: weights N(0, scale^2),
    /// visible biases log(p / (1 - p)) of the data's column means p (clamped to [0.001, 0.999]), hidden biases 0.
    /// </summary>
    public static BernoulliRbm CreateBernoulli(MatrixView data, RbmTrainingOptions? options = null)
    {
        options ??= new RbmTrainingOptions();
        options.Validate();
        if (data.Rows == 0 || data.Columns == 0) throw new DataFormatException("the training data is empty.");
        var model = new BernoulliRbm(data.Columns, options.HiddenUnits);
        model.ValidateData(data);
        InitialWeights(model.Weights, options);
        var mean = ColumnMeans(data);
        for (int i = 0; i < mean.Length; i++)
        {
            double p = Math.Clamp(mean[i], 0.001, 0.999);
            model.VisibleBias[i] = (float)Math.Log(p / (1 - p));
        }
        return model;
    }

    /// <summary>A new Gaussian RBM: weights N(0, scale^2), visible biases at the column means, hidden biases 0, sigma 1.</summary>
    public static GaussianRbm CreateGaussian(MatrixView data, RbmTrainingOptions? options = null)
    {
        options ??= new RbmTrainingOptions();
        options.Validate();
        if (data.Rows == 0 || data.Columns == 0) throw new DataFormatException("the training data is empty.");
        var model = new GaussianRbm(data.Columns, options.HiddenUnits);
        model.ValidateData(data);
        InitialWeights(model.Weights, options);
        var mean = ColumnMeans(data);
        for (int i = 0; i < mean.Length; i++) model.VisibleBias[i] = (float)mean[i];
        return model;
    }

    /// <summary>
    /// Trains <paramref name="model"/> in place from its current parameters (<see cref="RbmTrainingOptions.HiddenUnits"/>
    /// is ignored). On divergence the parameters of the last finite state (the start of the failing epoch) are restored
    /// and <see cref="TrainingDivergedException"/> is thrown; on cancellation the model keeps the last completed batch.
    /// The model's <see cref="RbmBase.Backend"/> is set to the training backend.
    /// </summary>
    public static RbmTrainingResult Train(RbmBase model, MatrixView data, RbmTrainingOptions? options = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new RbmTrainingOptions();
        options.Validate();
        if (data.Rows == 0) throw new DataFormatException("the training data is empty.");
        model.ValidateData(data);
        if (options.ValidationData is { } validation) model.ValidateData(validation.View, "validation data");
        if (options.NegativePhase.Kind == NegativePhaseKind.Tap && model is not BernoulliRbm)
            throw new ArgumentException("TAP training is available for Bernoulli RBMs only; use CD-k or PCD-k for a Gaussian RBM.", nameof(options));
        if (options.LearnSigma && model is not GaussianRbm)
            throw new ArgumentException("LearnSigma applies to Gaussian RBMs only.", nameof(options));
        model.Backend = options.Backend ?? CpuBackend.Default;
        Annotate(model, options);
        // CD-k / PCD-k / TAP of a Bernoulli RBM (or CD-k / PCD-k of a Gaussian RBM with fixed sigma) on a GPU: data,
        // parameters and chains (or TAP magnetisations) stay on the device.
        bool deviceModel = model is BernoulliRbm || (model is GaussianRbm && !options.LearnSigma);
        using var device = DeviceUse.Of(model.Backend, options.DeviceArrays, deviceModel);
        using var deviceStep = device.Arrays is { } arrays ? new DeviceRbmSession(model, data, options, arrays) : null;
        ITrainingStep step = deviceStep ?? (ITrainingStep)new RbmTrainingSession(model, data, options);
        var settings = new EpochLoop.Settings(data.Rows, options.Epochs, options.LearningRateAt, options.Seed, RbmTrainingSession.StreamShuffle,
            options.Shuffle, options.ValidationData is null ? 0 : options.EarlyStoppingPatience, RestoreBestAtEnd: false);
        var run = EpochLoop.Run(step, settings, progress, cancellationToken);
        model.Annotations["epochs_run"] = run.EpochsRun.ToString(CultureInfo.InvariantCulture);
        return new RbmTrainingResult(run.EpochsRun, run.StoppedEarly, run.BestEpoch, run.Seconds, run.History.Count > 0 ? run.History[^1] : null);
    }

    /// <summary>The divergence report of the CPU and device RBM steps.</summary>
    internal static TrainingDivergedException Diverged(RbmTrainingOptions o, bool gaussian, int epoch, float lr) => new(
        $"training diverged in epoch {epoch + 1} (parameters became NaN, infinite or larger than {o.DivergenceLimit:G3}) at learning rate {lr:G3}; " +
        $"the parameters from the end of epoch {epoch} were kept. Try a lower learning rate (e.g. {lr / 10:G3}){(gaussian ? ", standardised data" : "")} or more weight decay.",
        epoch + 1);

    private static void Annotate(RbmBase model, RbmTrainingOptions o)
    {
        var inv = CultureInfo.InvariantCulture;
        model.Annotations["negative_phase"] = o.NegativePhase.ToString();
        model.Annotations["epochs"] = o.Epochs.ToString(inv);
        model.Annotations["batch_size"] = o.BatchSize.ToString(inv);
        model.Annotations["learning_rate"] = o.LearningRate.ToString("R", inv);
        model.Annotations["momentum"] = o.Momentum.ToString("R", inv);
        model.Annotations["seed"] = o.Seed.ToString(inv);
        if (model is GaussianRbm) model.Annotations["learn_sigma"] = o.LearnSigma ? "true" : "false";
    }

    private static void InitialWeights(float[] weights, RbmTrainingOptions options)
    {
        var rng = new RandomStream(options.Seed, Philox.Stream(0x1217, 0));
        for (int i = 0; i < weights.Length; i++) weights[i] = options.InitialWeightScale * rng.NextGaussian();
    }

    internal static double[] ColumnMeans(MatrixView data)
    {
        var sum = new double[data.Columns];
        for (int r = 0; r < data.Rows; r++)
        {
            var row = data.Row(r);
            for (int c = 0; c < row.Length; c++) sum[c] += row[c];
        }
        for (int c = 0; c < sum.Length; c++) sum[c] /= Math.Max(1, data.Rows);
        return sum;
    }
}

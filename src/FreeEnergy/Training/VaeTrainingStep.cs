using System.Numerics.Tensors;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// The CPU training step every VAE shares, for <see cref="EpochLoop"/>: per batch the rows gathered in the epoch's order
/// (each held k = <see cref="VaeTrainingOptions.ImportanceSamples"/> times; with <see cref="VaeTrainingOptions.DynamicBinarization"/>
/// drawn as the epoch's <see cref="Binarization"/>), the draws from Philox (seed, stream(epoch,
/// batch), row index), the model's forward and backward passes (<see cref="ForwardBackward"/>), one Adam step and the
/// floor on a learned Gaussian decoder log variance; the loss is checked every batch (a NaN gradient with a finite loss
/// shows in the next batch's loss, and in the end-of-epoch parameter check). The parameters are the model's own vector.
/// </summary>
/// <typeparam name="TWorkspace">The model's CPU workspace.</typeparam>
internal abstract class VaeTrainingStep<TWorkspace> : ITrainingStep where TWorkspace : EncoderDecoderWorkspace
{
    private readonly IVariationalModel _model;
    private readonly VaeParameterLayout _layout;
    private readonly MatrixView _training;
    private readonly MatrixView? _validation;
    private readonly VaeTrainingOptions _options;
    private readonly IComputeBackend _backend;
    private readonly float[] _theta;
    private readonly AdamOptimizer _adam;
    private readonly BatchRows _rows;
    private readonly ParameterVectorCopies _copies;
    private int[] _order = [];
    private double _lossSum;

    /// <summary>A step on <paramref name="model"/>'s own parameter vector <paramref name="theta"/>; <paramref name="open"/> opens its training workspace for (batch rows x samples).</summary>
    protected VaeTrainingStep(IVariationalModel model, VaeParameterLayout layout, float[] theta, MatrixView training, MatrixView? validation,
        VaeTrainingOptions options, Func<int, TWorkspace> open)
    {
        _model = model;
        _layout = layout;
        _training = training;
        _validation = validation;
        _options = options;
        _backend = model.Backend;
        _theta = theta;
        BatchSize = Math.Min(options.BatchSize, training.Rows);
        Samples = options.ImportanceSamples;
        Workspace = open(checked(BatchSize * Samples));
        _copies = new ParameterVectorCopies(theta);
        _adam = new AdamOptimizer(layout.TrainableCount, options.LearningRate, options.AdamBeta1, options.AdamBeta2, options.AdamEpsilon, options.WeightDecay);
        _rows = new BatchRows(training, Workspace.X, Samples, _backend, options.DynamicBinarization ? options.Seed : null);
    }

    public int BatchSize { get; }

    /// <summary>k, the draws per row.</summary>
    protected int Samples { get; }

    /// <summary>The model's workspace, holding the batch's rows and draws.</summary>
    protected TWorkspace Workspace { get; }

    /// <summary>The parameter vector.</summary>
    protected float[] Theta => _theta;

    /// <summary>The epoch's KL warm-up factor: ramped up linearly over the warm-up epochs, then 1.</summary>
    protected float KlWarmup { get; private set; }

    public void BeginEpoch(int epoch, int[] order)
    {
        _order = order;
        _rows.BeginEpoch(epoch);
        KlWarmup = VaeTrainer.KlWeight(_options, epoch, 1f);
        _lossSum = 0;
    }

    public string? Batch(int epoch, int batchIndex, int start, int rows, float learningRate)
    {
        _rows.Gather(_order, start, rows);
        Workspace.FillNoise(_options.Seed, Philox.Stream(Vae.PurposeNoise, (ulong)epoch, (ulong)batchIndex), rows * Samples);
        double batchLoss = ForwardBackward(rows);
        if (!double.IsFinite(batchLoss)) return "loss";
        _lossSum += batchLoss;
        _adam.Step(_backend, _theta, Workspace.Gradient, learningRate);
        if (_layout.LearnVariance)
        {
            var lv = _theta.AsSpan(_layout.DecoderLogVarianceOffset, _layout.Input);
            TensorPrimitives.Max(lv, _options.MinLogVariance, lv);
        }
        return null;
    }

    /// <summary>
    /// One training evaluation of the first <paramref name="rows"/> rows held in the workspace with their draws: the
    /// gradient of the mean objective into <see cref="EncoderDecoderWorkspace.Gradient"/>; returns the objective summed over the rows.
    /// </summary>
    protected abstract double ForwardBackward(int rows);

    public string? EndEpoch(int epoch) => _copies.NonFinite();

    public EpochMeasures Measure(int epoch) => VaeTrainer.Measures(_model, _lossSum / _training.Rows, _validation);

    public void Save(ParameterCopy copy) => _copies.Save(copy);

    public void Restore(ParameterCopy copy) => _copies.Restore(copy);

    /// <summary>The parameters are the model's own vector.</summary>
    public void Finish() { }

    public TrainingDivergedException Diverged(int epoch, float learningRate, string what) => VaeTrainer.Diverged(epoch, _options, what);
}

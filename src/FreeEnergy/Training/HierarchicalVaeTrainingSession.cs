using System.Numerics.Tensors;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// The CPU training step of a <see cref="HierarchicalVae"/> for <see cref="EpochLoop"/>: per batch the rows gathered in
/// the epoch's order (each held k = <see cref="VaeTrainingOptions.ImportanceSamples"/> times), the draws of pair p from
/// Philox (seed, stream(epoch, batch), p (Z1 + Z2) ...), the forward and backward passes of the ELBO (k = 1) or of the
/// k-sample bound (<see cref="HierarchicalVaeWorkspace"/>) and one Adam step.
/// </summary>
internal sealed class HierarchicalVaeTrainingSession : ITrainingStep
{
    private readonly HierarchicalVae _model;
    private readonly MatrixView _training;
    private readonly MatrixView? _validation;
    private readonly VaeTrainingOptions _options;
    private readonly IComputeBackend _backend;
    private readonly HierarchicalVaeWorkspace _ws;
    private readonly float[] _theta;
    private readonly AdamOptimizer _adam;
    private readonly BatchRows _rows;
    private readonly ParameterVectorCopies _copies;
    private readonly float _invBeta1, _invBeta2;
    private readonly int _samples;
    private int[] _order = [];
    private float _klWeight;
    private double _lossSum;

    public HierarchicalVaeTrainingSession(HierarchicalVae model, MatrixView training, MatrixView? validation, VaeTrainingOptions options)
    {
        _model = model;
        _training = training;
        _validation = validation;
        _options = options;
        _backend = model.Backend;
        var layout = model.Layout;
        _theta = model.Parameters;
        BatchSize = Math.Min(options.BatchSize, training.Rows);
        _samples = options.ImportanceSamples;
        _ws = new HierarchicalVaeWorkspace(layout, _theta, _backend, checked(BatchSize * _samples), training: true);
        _copies = new ParameterVectorCopies(_theta);
        _adam = new AdamOptimizer(layout.TrainableCount, options.LearningRate, options.AdamBeta1, options.AdamBeta2, options.AdamEpsilon, options.WeightDecay);
        _invBeta1 = 1f / model.Beta;
        _invBeta2 = 1f / model.UpperBeta;
        _rows = new BatchRows(training, _ws.X, _samples, _backend);
    }

    public int BatchSize { get; }

    public void BeginEpoch(int epoch, int[] order)
    {
        _order = order;
        _klWeight = VaeTrainingSession.KlWeight(_options, epoch, 1f);
        _lossSum = 0;
    }

    public string? Batch(int epoch, int batchIndex, int start, int rows, float learningRate)
    {
        _rows.Gather(_order, start, rows);
        _ws.FillNoise(_options.Seed, Philox.Stream(Vae.PurposeNoise, (ulong)epoch, (ulong)batchIndex), rows * _samples);
        _ws.ForwardBackward(_theta, rows, _samples, _klWeight * _invBeta1, _klWeight * _invBeta2);
        double batchLoss = 0;
        for (int r = 0; r < rows; r++) batchLoss += _ws.Bound[r];
        if (!double.IsFinite(batchLoss)) return "loss";
        _lossSum += batchLoss;
        _adam.Step(_backend, _theta, _ws.Gradient, learningRate);
        var layout = _model.Layout;
        if (layout.LearnVariance)
        {
            var lv = _theta.AsSpan(layout.DecoderLogVarianceOffset, layout.Input);
            TensorPrimitives.Max(lv, _options.MinLogVariance, lv);
        }
        return null;
    }

    public string? EndEpoch(int epoch) => _copies.NonFinite();

    public EpochMeasures Measure(int epoch) => VaeTrainingSession.Measures(_model, _lossSum / _training.Rows, _validation);

    public void Save(ParameterCopy copy) => _copies.Save(copy);

    public void Restore(ParameterCopy copy) => _copies.Restore(copy);

    /// <summary>The parameters are the model's own vector.</summary>
    public void Finish() { }

    public TrainingDivergedException Diverged(int epoch, float learningRate, string what) => VaeTrainer.Diverged(epoch, _options, what);
}

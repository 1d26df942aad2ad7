using System.Numerics.Tensors;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// The CPU training step of a <see cref="Vae"/> for <see cref="EpochLoop"/>: per batch the rows gathered in the
/// epoch's order, the reparameterisation noise from Philox (seed, stream(epoch, batch), row * Z + j), the forward and
/// backward passes (<see cref="VaeWorkspace"/>) and one Adam step. With k = <see cref="VaeTrainingOptions.ImportanceSamples"/>
/// above 1 each row is held k times with draws (row k + s) Z + j and the step follows the IWAE bound; k = 1 is the
/// ELBO with its closed-form KL term, exactly as without the option. The loss is checked every batch (a NaN gradient
/// with a finite loss shows in the next batch's loss, and in the end-of-epoch parameter check).
/// </summary>
internal sealed class VaeTrainingSession : ITrainingStep
{
    private readonly Vae _model;
    private readonly MatrixView _training;
    private readonly MatrixView? _validation;
    private readonly VaeTrainingOptions _options;
    private readonly IComputeBackend _backend;
    private readonly VaeWorkspace _ws;
    private readonly float[] _theta, _grad;
    private readonly AdamOptimizer _adam;
    private readonly BatchRows _rows;
    private readonly ParameterVectorCopies _copies;
    private readonly float _invBeta;
    private readonly int _samples;
    private int[] _order = [];
    private float _klWeight;
    private double _lossSum;

    public VaeTrainingSession(Vae model, MatrixView training, MatrixView? validation, VaeTrainingOptions options)
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
        _ws = new VaeWorkspace(layout, _theta, _backend, checked(BatchSize * _samples), training: true) { PriorScale = model.PriorScale };
        _grad = _ws.Gradient;
        _copies = new ParameterVectorCopies(_theta);
        _adam = new AdamOptimizer(layout.TrainableCount, options.LearningRate, options.AdamBeta1, options.AdamBeta2, options.AdamEpsilon, options.WeightDecay);
        _invBeta = 1f / model.Beta;
        _rows = new BatchRows(training, _ws.X, _samples, _backend);
    }

    public int BatchSize { get; }

    public void BeginEpoch(int epoch, int[] order)
    {
        _order = order;
        _klWeight = KlWeight(_options, epoch, _invBeta);
        _lossSum = 0;
    }

    /// <summary>The KL term's weight in an epoch: 1 / beta, ramped up linearly over the warm-up epochs.</summary>
    internal static float KlWeight(VaeTrainingOptions options, int epoch, float invBeta)
        => (options.KlWarmupEpochs > 0 ? Math.Min(1f, (epoch + 1f) / options.KlWarmupEpochs) : 1f) * invBeta;

    public string? Batch(int epoch, int batchIndex, int start, int rows, float learningRate)
    {
        var ws = _ws;
        _rows.Gather(_order, start, rows);
        ws.FillNoise(_options.Seed, Philox.Stream(Vae.PurposeNoise, (ulong)epoch, (ulong)batchIndex), rows * _samples);
        double batchLoss = 0;
        if (_samples == 1)
        {
            ws.ForwardBackward(_theta, rows, _klWeight);
            for (int r = 0; r < rows; r++) batchLoss += ws.Reconstruction[r] + _invBeta * ws.Kl[r];
        }
        else
        {
            ws.ForwardBackwardImportanceWeighted(_theta, rows, _samples, _klWeight);
            for (int r = 0; r < rows; r++) batchLoss += ws.ImportanceBound[r];
        }
        if (!double.IsFinite(batchLoss)) return "loss";
        _lossSum += batchLoss;
        _adam.Step(_backend, _theta, _grad, learningRate);
        var layout = _model.Layout;
        if (layout.LearnVariance)
        {
            var lv = _theta.AsSpan(layout.DecoderLogVarianceOffset, layout.Input);
            TensorPrimitives.Max(lv, _options.MinLogVariance, lv);
        }
        return null;
    }

    public string? EndEpoch(int epoch) => _copies.NonFinite();

    public EpochMeasures Measure(int epoch) => Measures(_model, _lossSum / _training.Rows, _validation);

    /// <summary>The epoch's mean training loss and, with validation rows, their mean free energy (which must be finite).</summary>
    internal static EpochMeasures Measures(IFreeEnergyModel model, double trainingLoss, MatrixView? validation)
    {
        if (validation is not { Rows: > 0 } v) return new EpochMeasures(trainingLoss, double.NaN, double.NaN);
        var f = model.FreeEnergy(v);
        double s = 0;
        foreach (var x in f) s += x;
        double loss = f.Length == 0 ? double.NaN : s / f.Length;
        return new EpochMeasures(trainingLoss, loss, double.NaN, double.IsFinite(loss) ? null : "validation free energy");
    }

    public void Save(ParameterCopy copy) => _copies.Save(copy);

    public void Restore(ParameterCopy copy) => _copies.Restore(copy);

    /// <summary>The parameters are the model's own vector.</summary>
    public void Finish() { }

    public TrainingDivergedException Diverged(int epoch, float learningRate, string what) => VaeTrainer.Diverged(epoch, _options, what);
}

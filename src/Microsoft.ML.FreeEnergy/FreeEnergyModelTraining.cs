using FreeEnergy;
using FreeEnergy.Compute;
using FreeEnergy.Data.Preprocessing;
using FreeEnergy.Estimation;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Training;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// Trains the model that <see cref="FreeEnergyTransformOptions"/> asks for on the rows of the input column: the seed from
/// the options or the <c>MLContext</c>, progress to the context's log, the backend the options ask for, and errors that
/// name the input column.
/// </summary>
internal static class FreeEnergyModelTraining
{
    public static IFreeEnergyModel Train(IHostEnvironment environment, Matrix data, FreeEnergyTransformOptions options, string column)
    {
        var host = environment.Register("FreeEnergy");
        ulong seed = options.Seed is int s ? unchecked((ulong)s) : unchecked((ulong)host.Rand.Next());
        using var channel = host.Start("Training");
        if (options.Binarize) new ThresholdBinarizer().TransformInPlace(data);
        var backend = ComputeBackends.Create(options.TrainingDevice, 0, out string reason);
        channel.Info(MessageSensitivity.None, $"training a {options.ModelKind} on {data.Rows} rows x {data.Columns} of column '{column}' on {backend.Name} ({reason}), seed {seed}");
        var progress = new Progress(channel);
        try
        {
            IFreeEnergyModel model = options.ModelKind switch
            {
                FreeEnergyModelKind.BernoulliRbm => RbmTrainer.TrainBernoulli(data.View, options.Rbm.ToEngine(false, seed, backend), progress),
                FreeEnergyModelKind.GaussianRbm => RbmTrainer.TrainGaussian(data.View, options.Rbm.ToEngine(true, seed, backend), progress),
                FreeEnergyModelKind.Vae => VaeTrainer.Train(data.View, null, options.Vae.ToEngine(seed), backend, progress),
                FreeEnergyModelKind.HierarchicalVae => HierarchicalVaeTrainer.Train(data.View, null, options.Vae.ToEngine(seed, twoLevel: true), backend, progress),
                _ => throw new ArgumentOutOfRangeException(nameof(options), options.ModelKind, "unknown model kind."),
            };
            if (options.Binarize) model.Annotations[ThresholdBinarizer.ModelAnnotation] = ThresholdBinarizer.DefaultRule;
            return model;
        }
        catch (DataFormatException e)
        {
            throw new InvalidOperationException($"Input column '{column}' cannot train a {options.ModelKind}: {e.Message}", e);
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName is not nameof(options))
        {
            throw new ArgumentOutOfRangeException(e.ParamName, $"The {options.ModelKind} training options are invalid: {e.Message}");
        }
    }

    /// <summary>The given model, checked against the column width, or a model trained on the column's rows (returned in <paramref name="rows"/>).</summary>
    public static IFreeEnergyModel Resolve(IHostEnvironment environment, IDataView data, string column, FreeEnergyTransformOptions options, out Matrix? rows)
    {
        rows = null;
        if (options.Model is { } model)
        {
            CheckWidth(model, InputColumn.CheckedWidth(data.Schema, column), column);
            return model;
        }
        rows = InputColumn.Read(data, column);
        return Train(environment, rows, options, column);
    }

    public static void CheckWidth(IFreeEnergyModel model, int width, string column)
    {
        if (width != model.InputDimension)
            throw new ArgumentOutOfRangeException(nameof(column), column, $"Input column '{column}' has {width} slots but the {model.Kind} model takes {model.InputDimension}.");
    }

    /// <summary>
    /// The detector's score of every row: the free energy of the rows as the model reads them (binarised when it was
    /// trained so), minus the input complexity L(x) when <paramref name="subtractInputComplexity"/>; what the exported
    /// graph computes, here for calibrating the threshold on the training rows.
    /// </summary>
    public static float[] Scores(IFreeEnergyModel model, MatrixView rows, bool subtractInputComplexity)
    {
        if (ThresholdBinarizer.IsRecordedIn(model.Annotations))
        {
            var binary = rows.ToMatrix();
            new ThresholdBinarizer().TransformInPlace(binary);
            rows = binary.View;
        }
        var scores = model.FreeEnergy(rows);
        if (!subtractInputComplexity) return scores;
        var coder = InputComplexity.ForSquareImages(rows.Columns)
            ?? throw new ArgumentException($"SubtractInputComplexity needs square images, but the rows have {rows.Columns} values, which is not a square (e.g. 784 = 28 x 28).");
        return InputComplexity.Correct(scores, coder.CodeLengths(rows));
    }

    /// <summary>Each epoch as one line of the <c>MLContext</c>'s log.</summary>
    private sealed class Progress(IChannel channel) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p) => channel.Info(MessageSensitivity.None,
            $"epoch {p.Epoch}/{p.Epochs}: training loss {p.TrainingLoss:G6}{(double.IsNaN(p.ValidationLoss) ? "" : $", validation loss {p.ValidationLoss:G6}")}, {p.Seconds:F1} s");
    }
}

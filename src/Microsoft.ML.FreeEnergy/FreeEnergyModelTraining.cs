using FreeEnergy;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

namespace Microsoft.ML.FreeEnergy;

/// <summary>Trains the model that <see cref="FreeEnergyTransformOptions"/> asks for, with errors that name the input column.</summary>
internal static class FreeEnergyModelTraining
{
    public static IFreeEnergyModel Train(Matrix data, FreeEnergyTransformOptions options, string column)
    {
        try
        {
            return options.ModelKind switch
            {
                FreeEnergyModelKind.BernoulliRbm => RbmTrainer.TrainBernoulli(data.View, options.Rbm),
                FreeEnergyModelKind.GaussianRbm => RbmTrainer.TrainGaussian(data.View, options.Rbm),
                FreeEnergyModelKind.Vae => VaeTrainer.Train(data.View, null, options.Vae),
                _ => throw new ArgumentOutOfRangeException(nameof(options), options.ModelKind, "unknown model kind."),
            };
        }
        catch (DataFormatException e)
        {
            throw new InvalidOperationException($"Input column '{column}' cannot train a {options.ModelKind}: {e.Message}", e);
        }
    }

    /// <summary>The given model, checked against the column width, or a model trained on the column's rows.</summary>
    public static IFreeEnergyModel Resolve(IDataView data, string column, FreeEnergyTransformOptions options, out Matrix? rows)
    {
        rows = null;
        if (options.Model is { } model)
        {
            CheckWidth(model, InputColumn.CheckedWidth(data.Schema, column), column);
            return model;
        }
        rows = InputColumn.Read(data, column);
        return Train(rows, options, column);
    }

    public static void CheckWidth(IFreeEnergyModel model, int width, string column)
    {
        if (width != model.InputDimension)
            throw new ArgumentOutOfRangeException(nameof(column), column, $"Input column '{column}' has {width} slots but the {model.Kind} model takes {model.InputDimension}.");
    }
}

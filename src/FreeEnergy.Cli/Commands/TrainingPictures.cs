using FreeEnergy.Cli.Plots;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

namespace FreeEnergy.Cli.Commands;

/// <summary>The pictures <c>train --plots DIR</c> writes: training curves and, for 28x28 data, a reconstruction grid.</summary>
internal static class TrainingPictures
{
    public static void Write(string? folder, IReadOnlyList<TrainingProgress> history, string lossName, IFreeEnergyModel model, Matrix data)
    {
        if (string.IsNullOrEmpty(folder)) return;
        Directory.CreateDirectory(folder);
        foreach (var ext in new[] { ".png", ".svg" })
            PlotFiles.WriteTrainingCurves(Path.Combine(folder, "training" + ext), history, lossName, $"{model.Kind} training");
        if (data.Columns != 28 * 28 || data.Rows == 0) return;
        var originals = data.RowRange(0, Math.Min(10, data.Rows)).ToMatrix();
        PlotFiles.WriteReconstructionGrid(Path.Combine(folder, "reconstruction.png"), originals, model.Reconstruct(originals.View), 28, 28);
    }
}

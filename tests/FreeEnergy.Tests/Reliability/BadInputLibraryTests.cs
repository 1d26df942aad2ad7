using FreeEnergy.Data;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Reliability;

/// <summary>
/// Bad input through the library: each case throws a typed <see cref="FreeEnergyException"/> (a
/// <see cref="DataFormatException"/> naming the file, row and column where a cell is at fault), never a crash,
/// hang or a NaN model.
/// </summary>
public sealed class BadInputLibraryTests
{
    public static TheoryData<string> Cases => new()
    {
        "read-nan-cell", "read-ragged", "read-empty", "read-labels-mismatch", "read-batches-ragged",
        "bernoulli-validate-non-binary", "bernoulli-validate-nan", "gaussian-validate-huge", "gaussian-validate-inf",
        "bernoulli-freeenergy-wrong-width", "vae-freeenergy-wrong-width", "train-bernoulli-non-binary", "train-gaussian-huge",
        "train-bernoulli-nan", "train-vae-nan", "train-empty-matrix",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadInputThrowsATypedExceptionNamingTheCell(string name)
    {
        using var files = new ReliabilityFiles();
        const int w = ReliabilityFiles.Width;
        var good = ReliabilityFiles.Binary(30, w, 9);
        Matrix With(int row, int column, float value)
        {
            var m = new Matrix(good.Rows, good.Columns, (float[])good.Data.Clone());
            m[row, column] = value;
            return m;
        }
        string Lines(Matrix m, int row, string replacement)
        {
            var path = files.Csv("d.csv", m);
            var lines = File.ReadAllLines(path);
            lines[row] = replacement;
            File.WriteAllLines(path, lines);
            return path;
        }
        var rbm = ReliabilityFiles.SmallRbm();
        var grbm = ReliabilityFiles.SmallGaussianRbm();
        (Action Act, long? Row, int? Column, bool NamesFile) c = name switch
        {
            "read-nan-cell" => (() => { var set = DataReader.Read(files.Csv("d.csv", With(4, 2, float.NaN))); rbm.ValidateData(set.Features.View, set.Source); }, 5L, 3, true),
            "read-ragged" => (() => DataReader.Read(Lines(good, 6, "1,0,1")), 7L, null, true),
            "read-empty" => (() => DataReader.Read(files.Text("d.csv", "")), null, null, true),
            "read-labels-mismatch" => (() => DataReader.Read(files.Csv("d.csv", good), new DataReadOptions { LabelsPath = files.Text("l.csv", "1\n0\n") }), null, null, true),
            "read-batches-ragged" => (() => { foreach (var _ in DataReader.ReadBatches(Lines(good, 25, "1,1"), 8)) { } }, 26L, null, true),
            "bernoulli-validate-non-binary" => (() => rbm.ValidateData(With(3, 7, 2f).View, "x.csv"), 4L, 8, true),
            "bernoulli-validate-nan" => (() => rbm.ValidateData(With(0, 0, float.NaN).View, "x.csv"), 1L, 1, true),
            "gaussian-validate-huge" => (() => grbm.ValidateData(With(9, 1, 1e30f).View, "x.csv"), 10L, 2, true),
            "gaussian-validate-inf" => (() => grbm.ValidateData(With(9, 1, float.PositiveInfinity).View, "x.csv"), 10L, 2, true),
            "bernoulli-freeenergy-wrong-width" => (() => rbm.FreeEnergy(ReliabilityFiles.Binary(3, w + 1, 1).View), null, null, false),
            "vae-freeenergy-wrong-width" => (() => ReliabilityFiles.SmallVae().FreeEnergy(ReliabilityFiles.Binary(3, w - 1, 1).View), null, null, false),
            "train-bernoulli-non-binary" => (() => RbmTrainer.TrainBernoulli(With(2, 2, 5f).View, new RbmTrainingOptions { HiddenUnits = 3, Epochs = 1 }), 3L, 3, false),
            "train-gaussian-huge" => (() => RbmTrainer.TrainGaussian(With(2, 2, -1e30f).View, new RbmTrainingOptions { HiddenUnits = 3, Epochs = 1 }), 3L, 3, false),
            "train-bernoulli-nan" => (() => RbmTrainer.TrainBernoulli(With(2, 2, float.NaN).View, new RbmTrainingOptions { HiddenUnits = 3, Epochs = 1 }), 3L, 3, false),
            "train-vae-nan" => (() => VaeTrainer.Train(With(2, 2, float.NaN).View, null, new VaeTrainingOptions { LatentDimension = 2, EncoderLayers = [4], Epochs = 1 }), 3L, 3, false),
            "train-empty-matrix" => (() => RbmTrainer.TrainBernoulli(new Matrix(0, w).View, new RbmTrainingOptions { HiddenUnits = 3, Epochs = 1 }), null, null, false),
            _ => throw new ArgumentException(name),
        };
        var (act, row, column, namesFile) = c;
        var ex = Record.Exception(act);
        Assert.NotNull(ex);
        Assert.True(ex is FreeEnergyException, $"{name}: {ex.GetType().Name}: {ex.Message}");
        if (row is not null || column is not null)
        {
            var data = Assert.IsType<DataFormatException>(ex);
            Assert.Equal(row, data.Row);
            if (column is not null) Assert.Equal(column, data.Column);
        }
        if (namesFile) Assert.Contains(Path.GetFileName(((DataFormatException)ex).File ?? "?"), ex.Message);
    }
}

using FreeEnergy.Cli.Commands.Vae;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Data;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Vae;

public class VaeVerbsTests
{
    [Fact]
    public void TrainScoreAndEvalWorkTogether()
    {
        var data = new DataSet(VaeTrainingTests.Prototypes(80, 8, 30), source: "train.csv");
        var options = new VaeTrainingOptions { LatentDimension = 2, EncoderLayers = [8], Epochs = 2, BatchSize = 32 };
        var model = VaeVerbs.Train(data, null, options);
        var deterministic = VaeVerbs.Score(model, data.Features);
        Assert.Equal(model.FreeEnergy(data.Features.View), deterministic);
        var iwae = VaeVerbs.Score(model, data.Features, "iwae", 20, seed: 3);
        Assert.Equal(80, iwae.Length);
        var summary = VaeVerbs.Eval(model, data.Features, samples: 20, seed: 3);
        Assert.Equal(80, (int)summary["rows"]!);
        double meanIwae = (double)summary["iwae"]!["mean"]!;
        Assert.Equal(VaeTrainingTests.Mean(iwae), meanIwae, 3);
        Assert.True((double)summary["negativeElbo"]!["standardError"]! > 0);
        Assert.Throws<CliException>(() => VaeVerbs.Score(model, data.Features, "ais"));
    }

    [Fact]
    public void BadDataNamesTheFile()
    {
        var features = VaeTrainingTests.Prototypes(20, 4, 31);
        features[4, 2] = 3f;
        var ex = Assert.Throws<DataFormatException>(() => VaeVerbs.Train(new DataSet(features, source: "x.csv"), null, new VaeTrainingOptions()));
        Assert.Equal("x.csv", ex.File);
        Assert.Equal(5, ex.Row);
        Assert.Equal(3, ex.Column);
    }

    [Fact]
    public void LayersParse()
    {
        Assert.Equal([512, 256], VaeVerbs.ParseLayers("512, 256"));
        Assert.Empty(VaeVerbs.ParseLayers("none"));
        Assert.Throws<CliException>(() => VaeVerbs.ParseLayers("12,x"));
    }
}

using FreeEnergy.Compute;
using FreeEnergy.Estimation;
using FreeEnergy.Models;
using FreeEnergy.Tensors;
using FreeEnergy.Training;
using VaeModel = FreeEnergy.Models.Vae;

namespace FreeEnergy.Tests.Vae;

public class VaeModelTests
{
    private static VaeModel Trained(VaeLikelihood likelihood, out Matrix data)
    {
        data = VaeTrainingTests.Prototypes(96, 10, 20);
        var options = new VaeTrainingOptions
        {
            LatentDimension = 2, EncoderLayers = [8, 6], DecoderLayers = [5], Activation = Activation.Softplus,
            Likelihood = likelihood, Beta = 2f, PriorScale = 0.8f, ScoringSamples = 3, Epochs = 2, BatchSize = 40, Seed = 3,
        };
        return VaeTrainer.Train(data.View, null, options);
    }

    [Theory]
    [InlineData(VaeLikelihood.Bernoulli)]
    [InlineData(VaeLikelihood.Gaussian)]
    public void DocumentRoundTripKeepsEveryAnswer(VaeLikelihood likelihood)
    {
        var model = Trained(likelihood, out var data);
        var doc = model.ToDocument();
        Assert.Equal("vae", doc.Kind);
        Assert.Equal("8,6", doc.Hyperparameters["encoder_layers"]);
        Assert.Equal("5", doc.Hyperparameters["decoder_layers"]);
        Assert.Equal("softplus", doc.Hyperparameters["activation"]);
        Assert.Equal("2", doc.Hyperparameters["beta"]);
        Assert.Equal("0.8", doc.Hyperparameters["prior_scale"]);
        Assert.Equal([10, 8], doc.Tensors.Single(t => t.Name == "encoder.0.weight").Shape);
        Assert.Equal([6, 2], doc.Tensors.Single(t => t.Name == "encoder.mean.weight").Shape);
        Assert.Equal([6, 2], doc.Tensors.Single(t => t.Name == "encoder.log_variance.weight").Shape);
        Assert.Equal([2, 5], doc.Tensors.Single(t => t.Name == "decoder.0.weight").Shape);
        Assert.Equal([5, 10], doc.Tensors.Single(t => t.Name == "decoder.output.weight").Shape);
        Assert.Equal([3, 2], doc.Tensors.Single(t => t.Name == "scoring_noise").Shape);
        Assert.Equal(likelihood == VaeLikelihood.Gaussian, doc.Tensors.Any(t => t.Name == "decoder.log_variance"));

        var back = VaeModel.FromDocument(doc);
        Assert.Equal(model.Parameters, back.Parameters);
        Assert.Equal(model.FreeEnergy(data.View), back.FreeEnergy(data.View));
        Assert.Equal(model.Reconstruct(data.View).Data, back.Reconstruct(data.View).Data);
    }

    [Theory]
    [InlineData(VaeLikelihood.Bernoulli)]
    [InlineData(VaeLikelihood.Gaussian)]
    public void ModelFileRoundTripScoresIdentically(VaeLikelihood likelihood)
    {
        var model = Trained(likelihood, out var data);
        var path = Path.Combine(Path.GetTempPath(), $"vae-{Guid.NewGuid():N}.safetensors");
        try
        {
            FreeEnergy.Persistence.ModelFile.Save(path, model.ToDocument());
            var back = VaeModel.FromDocument(FreeEnergy.Persistence.ModelFile.Load(path));
            Assert.Equal(model.FreeEnergy(data.View), back.FreeEnergy(data.View));
            Assert.Equal(model.Beta, back.Beta);
            Assert.Equal(model.PriorScale, back.PriorScale);
            Assert.Equal(model.ScoringNoise.Data, back.ScoringNoise.Data);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void DocumentsOfOtherKindsOrShapesAreRefused()
    {
        var model = Trained(VaeLikelihood.Bernoulli, out _);
        var doc = model.ToDocument();
        var wrongKind = new FreeEnergy.Persistence.ModelDocument("bernoulli-rbm", doc.Hyperparameters, doc.Tensors);
        Assert.Throws<ModelFileException>(() => VaeModel.FromDocument(wrongKind));
        var hp = new Dictionary<string, string>(doc.Hyperparameters) { ["latent"] = "3" };
        Assert.Throws<ModelFileException>(() => VaeModel.FromDocument(new FreeEnergy.Persistence.ModelDocument("vae", hp, doc.Tensors)));
        var missing = doc.Tensors.Where(t => t.Name != "scoring_noise").ToList();
        Assert.Throws<ModelFileException>(() => VaeModel.FromDocument(new FreeEnergy.Persistence.ModelDocument("vae", doc.Hyperparameters, missing)));
    }

    [Fact]
    public void EncoderHeadsAreSplitAsTheContractSays()
    {
        var model = Trained(VaeLikelihood.Bernoulli, out var data);
        var doc = model.ToDocument();
        var (mean, logVariance) = model.EncodeDistribution(data.RowRange(0, 1));
        // Recompute the heads from the document's tensors: h = softplus(softplus(x W0 + b0) W1 + b1).
        float[] Layer(float[] input, string name, bool activate)
        {
            var w = doc.Tensor(name + ".weight", input.Length, doc.Tensors.Single(t => t.Name == name + ".bias").Shape[0]);
            var b = doc.Tensors.Single(t => t.Name == name + ".bias").Data;
            var o = new float[b.Length];
            for (int j = 0; j < o.Length; j++)
            {
                double s = b[j];
                for (int i = 0; i < input.Length; i++) s += input[i] * (double)w[i * o.Length + j];
                o[j] = activate ? (float)FreeEnergy.Compute.Cpu.Activations.Softplus(s) : (float)s;
            }
            return o;
        }
        var h = Layer(Layer(data.Row(0).ToArray(), "encoder.0", true), "encoder.1", true);
        var mu = Layer(h, "encoder.mean", false);
        var lv = Layer(h, "encoder.log_variance", false);
        for (int j = 0; j < 2; j++)
        {
            Assert.Equal(mu[j], mean[0, j], 4);
            Assert.Equal(lv[j], logVariance[0, j], 4);
        }
    }

    [Fact]
    public void OperationsHaveTheRightShapesAndRanges()
    {
        var model = Trained(VaeLikelihood.Bernoulli, out var data);
        Assert.Equal(2, model.EncodedDimension);
        var encoded = model.Encode(data.View);
        Assert.Equal((96, 2), (encoded.Rows, encoded.Columns));
        var recon = model.Reconstruct(data.View);
        Assert.Equal((96, 10), (recon.Rows, recon.Columns));
        Assert.All(recon.Data, v => Assert.InRange(v, 0f, 1f));
        var samples = model.Sample(7, 0.5f, seed: 4);
        Assert.Equal((7, 10), (samples.Rows, samples.Columns));
        Assert.All(samples.Data, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(samples.Data, model.Sample(7, 0.5f, seed: 4).Data);
        // Temperature 0 decodes the prior mean for every sample.
        var cold = model.Sample(3, 0f, seed: 9);
        Assert.Equal(cold.Row(0).ToArray(), cold.Row(2).ToArray());
        Assert.Equal(model.Decode(new Matrix(1, 2).View).Data, cold.Row(0).ToArray());
        foreach (var estimator in new[] { VaeEstimator.Elbo, VaeEstimator.Iwae, VaeEstimator.Cumulant })
        {
            var s = model.Score(data.View, estimator, 5, seed: 1);
            Assert.Equal(96, s.Length);
            Assert.All(s, v => Assert.True(float.IsFinite(v)));
        }
        // F_q with beta = 2 weighs the KL by 1/2: the one-sample estimates use the same closed-form KL.
        Assert.Empty(model.FreeEnergy(new Matrix(0, 10).View));
    }

    [Fact]
    public void WrongWidthIsADataFormatError()
    {
        var model = Trained(VaeLikelihood.Bernoulli, out _);
        Assert.Throws<DataFormatException>(() => model.FreeEnergy(new Matrix(3, 9).View));
        Assert.Throws<DataFormatException>(() => model.Decode(new Matrix(3, 3).View));
    }
}

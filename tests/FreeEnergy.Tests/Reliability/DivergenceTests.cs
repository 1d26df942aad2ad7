using FreeEnergy.Cli;
using FreeEnergy.Models;
using FreeEnergy.Persistence;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Reliability;

/// <summary>
/// Training with an absurd learning rate stops with a <see cref="TrainingDivergedException"/> that suggests a lower
/// learning rate; the model keeps its last finite parameters, and the CLI never replaces an existing --out file.
/// </summary>
public sealed class DivergenceTests
{
    [Theory]
    [InlineData("rbm", "1e6")]
    [InlineData("grbm", "1e6")]
    [InlineData("vae", "1e8")]
    public void DivergingTrainingKeepsTheExistingModelFileAndSuggestsALowerRate(string kind, string lr)
    {
        using var files = new ReliabilityFiles();
        var m = ReliabilityFiles.Binary(200, ReliabilityFiles.Width, 11);
        var data = files.Csv("d.csv", m);
        var outPath = files.Save("m.fem", ReliabilityFiles.SmallRbm());
        var before = File.ReadAllBytes(outPath);
        string[] args = ["train", "--model", kind, "--data", data, "--hidden", "8", "--epochs", "20", "--batch", "10", "--lr", lr, "--out", outPath];
        if (kind == "vae") args = [.. args, "--latent", "2", "--layers", "8"];
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandLineApp.Run(args, stdout, stderr);
        string err = stderr.ToString();
        Assert.True(code == 2, $"exit {code}: {err}{stdout}");
        Assert.Contains("diverged", err);
        Assert.Contains("lower learning rate", err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(before, File.ReadAllBytes(outPath));
        Assert.Empty(files.Extra("d.csv", "m.fem"));
    }

    [Fact]
    public void LibraryRestoresTheLastFiniteParameters()
    {
        var data = ReliabilityFiles.Binary(200, ReliabilityFiles.Width, 12);
        var model = RbmTrainer.CreateBernoulli(data.View, new RbmTrainingOptions { HiddenUnits = 8 });
        var ex = Assert.Throws<TrainingDivergedException>(() =>
            RbmTrainer.Train(model, data.View, new RbmTrainingOptions { Epochs = 20, BatchSize = 10, LearningRate = 1e6f, Momentum = 0.9f }));
        Assert.Contains("lower learning rate", ex.Message);
        Assert.All(model.Weights, w => Assert.True(float.IsFinite(w) && MathF.Abs(w) <= 1e6f));
        Assert.All(model.FreeEnergy(data.View), f => Assert.True(float.IsFinite(f)));
        var reloaded = RbmBase.FromDocument(ModelFile.Load(new MemoryStream(Bytes(model))));
        Assert.Equal(model.Weights, reloaded.Weights);

        var vae = ReliabilityFiles.SmallVae();
        var vex = Assert.Throws<TrainingDivergedException>(() =>
            VaeTrainer.Fit(vae, data.View, null, new VaeTrainingOptions { LatentDimension = 3, EncoderLayers = [8], Epochs = 20, BatchSize = 10, LearningRate = 1e8f }));
        Assert.Contains("lower learning rate", vex.Message);
        Assert.All(vae.FreeEnergy(data.View), f => Assert.True(float.IsFinite(f)));
    }

    private static FreeEnergy.Tensors.Matrix Scaled(FreeEnergy.Tensors.Matrix m, float s)
    {
        var copy = new FreeEnergy.Tensors.Matrix(m.Rows, m.Columns, (float[])m.Data.Clone());
        for (int i = 0; i < copy.Data.Length; i++) copy.Data[i] *= s;
        return copy;
    }

    private static byte[] Bytes(IFreeEnergyModel model)
    {
        var stream = new MemoryStream();
        ModelFile.Save(stream, model.ToDocument());
        return stream.ToArray();
    }
}

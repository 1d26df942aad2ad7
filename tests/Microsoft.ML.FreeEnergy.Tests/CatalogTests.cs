using System.Reflection;
using FreeEnergy.Compute;
using FreeEnergy.Data.Preprocessing;
using Microsoft.ML.Data;

namespace Microsoft.ML.FreeEnergy.Tests;

/// <summary>
/// The catalog entries in ML.NET's style: the short overloads and their defaults (FreeEnergyDefaults), the options
/// overloads, the MLContext's seed and log, the training device, and output schemas propagated without fitting.
/// </summary>
public sealed class CatalogTests
{
    [Fact]
    public void VaeOptionsTakeTheCommandLinesShapeByDepthUnlessGiven()
    {
        var options = new FreeEnergyVaeOptions();
        var one = options.ToEngine(seed: 1);
        var two = options.ToEngine(seed: 1, twoLevel: true);
        Assert.Equal(FreeEnergyDefaults.LatentDimensions, one.LatentDimension);
        Assert.Equal(FreeEnergyDefaults.VaeLayers, one.EncoderLayers);
        Assert.Equal((100, 50), (two.LatentDimension, two.UpperLatentDimension)); // as `freeenergy train --model vae2`
        Assert.Equal([200, 200], two.EncoderLayers);
        Assert.Equal(FreeEnergyDefaults.HierarchicalLatentDimensions, two.LatentDimension);
        Assert.Equal(FreeEnergyDefaults.HierarchicalVaeLayers, two.EncoderLayers);
        options.LatentDimensions = 7;
        options.Layers = [30];
        var given = options.ToEngine(seed: 1, twoLevel: true);
        Assert.Equal(7, given.LatentDimension);
        Assert.Equal([30], given.EncoderLayers);
    }

    [Fact]
    public void VaeOptionsTakeTheEnginesMeasuredWarmupByDepthUnlessGiven()
    {
        var options = new FreeEnergyVaeOptions { Epochs = 50 };
        Assert.Null(options.KlWarmupEpochs);
        Assert.Equal(0, options.ToEngine(seed: 1).KlWarmupEpochs);
        Assert.Equal(global::FreeEnergy.Training.VaeDefaults.KlWarmupEpochs(true, 50), options.ToEngine(seed: 1, twoLevel: true).KlWarmupEpochs);
        options.KlWarmupEpochs = 0;
        Assert.Equal(0, options.ToEngine(seed: 1, twoLevel: true).KlWarmupEpochs);
        options.KlWarmupEpochs = 7;
        Assert.Equal(7, options.ToEngine(seed: 1).KlWarmupEpochs);
    }

    [Fact]
    public void The_short_overload_reads_the_output_column_and_takes_the_defaults()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SyntheticRows.Binary(40, 0, 3));
        var transformer = ml.Transforms.FreeEnergyEncode("Features").Fit(data);
        Assert.Equal("Features", transformer.InputColumnName);
        Assert.Equal(FreeEnergyDefaults.HiddenUnits, transformer.Model.EncodedDimension);
        Assert.Equal("BernoulliRbm", transformer.Model.GetType().Name);
        // The negative phase's own rate and momentum (PCD-1: 0.05 and 0.5), as the command line picks them.
        Assert.Equal("0.05", transformer.Model.Annotations["learning_rate"]);
        Assert.Equal("0.5", transformer.Model.Annotations["momentum"]);
        Assert.Equal(FreeEnergyDefaults.Epochs.ToString(), transformer.Model.Annotations["epochs"]);
        var type = (VectorDataViewType)transformer.Transform(data).Schema["Features"].Type;
        Assert.Equal(FreeEnergyDefaults.HiddenUnits, type.Size);
    }

    [Fact]
    public void The_short_overload_passes_its_arguments()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SyntheticRows.Binary(40, 0, 3));
        var vae = ml.Transforms.FreeEnergyReconstruct("Out", "Features", FreeEnergyModelKind.Vae, hiddenUnits: 3, epochs: 2, seed: 5).Fit(data);
        Assert.Equal(3, vae.Model.EncodedDimension);
        Assert.Equal("2", vae.Model.Annotations["epochs"]);
        Assert.Equal("5", vae.Model.Annotations["seed"]);
        var rbm = ml.Transforms.FreeEnergyScore("Out", "Features", FreeEnergyModelKind.BernoulliRbm, hiddenUnits: 4, epochs: 2, binarize: true).Fit(data);
        Assert.Equal(4, rbm.Model.EncodedDimension);
        Assert.Equal(ThresholdBinarizer.DefaultRule, rbm.Model.Annotations[ThresholdBinarizer.ModelAnnotation]);
    }

    [Fact]
    public void Per_method_defaults_reach_the_options_overload()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SyntheticRows.Real(40, 3));
        var options = new FreeEnergyTransformOptions { ModelKind = FreeEnergyModelKind.GaussianRbm, Rbm = { HiddenUnits = 4, Epochs = 2 } };
        var model = ml.Transforms.FreeEnergyScore("Out", "Features", options).Fit(data).Model;
        Assert.Equal("0.005", model.Annotations["learning_rate"]); // Gaussian RBMs want the small rate, as on the command line
        var tap = new FreeEnergyTransformOptions { Rbm = { HiddenUnits = 4, Epochs = 2, NegativePhase = global::FreeEnergy.Training.NegativePhase.Tap(2) } };
        var binary = ml.Data.LoadFromEnumerable(SyntheticRows.Binary(40, 0, 3));
        Assert.Equal("0.005", ml.Transforms.FreeEnergyScore("Out", "Features", tap).Fit(binary).Model.Annotations["learning_rate"]);
    }

    [Fact]
    public void The_detector_short_overload_takes_its_defaults()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SyntheticRows.Binary(60, 0, 4));
        var detector = ml.AnomalyDetection.Trainers.FreeEnergy(epochs: 3).Fit(data);
        Assert.Equal(FreeEnergyDefaults.DetectorModelKind.ToString(), detector.Model.GetType().Name);
        Assert.Equal(FreeEnergyModelKind.HierarchicalVae, FreeEnergyDefaults.DetectorModelKind); // the measured best (README, ML.NET)
        Assert.Equal(FreeEnergyDefaults.HierarchicalLatentDimensions, detector.Model.EncodedDimension);
        Assert.Equal(FreeEnergyDefaults.FeatureColumnName, detector.FeatureColumnName);
        Assert.False(detector.SubtractsInputComplexity);
    }

    [Fact]
    public void The_training_seed_comes_from_the_context_when_the_options_give_none()
    {
        var rows = SyntheticRows.Binary(40, 0, 3);
        float[] Scores(int seed)
        {
            var ml = new MLContext(seed: seed);
            var data = ml.Data.LoadFromEnumerable(rows);
            return ml.Transforms.FreeEnergyScore("Out", "Features", hiddenUnits: 4, epochs: 2).Fit(data).Transform(data).GetColumn<float>("Out").ToArray();
        }
        Assert.Equal(Scores(1), Scores(1));
        Assert.NotEqual(Scores(1), Scores(2));
    }

    [Fact]
    public void Training_progress_goes_to_the_context_log()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var data = ml.Data.LoadFromEnumerable(SyntheticRows.Binary(40, 0, 3));
        ml.Transforms.FreeEnergyEncode("Out", "Features", hiddenUnits: 4, epochs: 3).Fit(data);
        Assert.Contains(messages, m => m.Contains("FreeEnergy", StringComparison.Ordinal) && m.Contains("training a BernoulliRbm on 40 rows", StringComparison.Ordinal));
        Assert.Equal(3, messages.Count(m => m.Contains("epoch ", StringComparison.Ordinal) && m.Contains("/3: training loss", StringComparison.Ordinal)));
    }

    [Fact]
    public void Training_on_auto_runs_where_cuda_is_not_and_cuda_alone_fails_with_the_reason()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SyntheticRows.Binary(40, 0, 3));
        var options = (ComputeDevice device) => new FreeEnergyTransformOptions { TrainingDevice = device, Seed = 3, Rbm = { HiddenUnits = 4, Epochs = 2 } };
        var cpu = ml.Transforms.FreeEnergyScore("Out", "Features", options(ComputeDevice.Cpu)).Fit(data).Transform(data).GetColumn<float>("Out").ToArray();
        if (ComputeBackends.Create(ComputeDevice.Auto, 0, out _).Name.StartsWith("cpu", StringComparison.Ordinal)) // no usable GPU here: Auto is the CPU
        {
            var auto = ml.Transforms.FreeEnergyScore("Out", "Features", options(ComputeDevice.Auto)).Fit(data).Transform(data).GetColumn<float>("Out").ToArray();
            Assert.Equal(cpu, auto);
            var error = Assert.ThrowsAny<Exception>(() => ml.Transforms.FreeEnergyScore("Out", "Features", options(ComputeDevice.Cuda)).Fit(data));
            Assert.Contains("CUDA", error.Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Output_schemas_propagate_without_fitting()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SyntheticRows.Binary(10, 0, 3));
        var shape = ShapeOf(data.Schema);
        var chain = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.Transforms.FreeEnergyEncode("Hidden", "Features"))
            .Append(ml.Transforms.FreeEnergyScore("Energy", "Features"))
            .Append(ml.Transforms.FreeEnergyReconstruct("Again", "Features"));
        var output = chain.GetOutputSchema(shape);
        var hidden = Column(output, "Hidden");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, hidden.Kind);
        Assert.Equal(NumberDataViewType.Single, hidden.ItemType);
        var again = Column(output, "Again");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, again.Kind);
        var energy = Column(output, "Energy");
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, energy.Kind);
        Assert.Equal(NumberDataViewType.Single, energy.ItemType);

        var detected = ml.AnomalyDetection.Trainers.FreeEnergy().GetOutputSchema(shape);
        var score = Column(detected, "Score");
        Assert.Equal(NumberDataViewType.Single, score.ItemType);
        var label = Column(detected, "PredictedLabel");
        Assert.Equal(BooleanDataViewType.Instance, label.ItemType);
        Column(detected, "Label"); // the input columns stay

        var missing = Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.FreeEnergyScore("Out", "Pixels").GetOutputSchema(shape));
        Assert.Contains("'Pixels'", missing.Message);
    }

    private static SchemaShape.Column Column(SchemaShape shape, string name)
    {
        var found = shape.Where(c => c.Name == name).ToList();
        Assert.True(found.Count == 1, $"column '{name}' appears {found.Count} times in the output shape");
        return found[0];
    }

    /// <summary>The schema shape of a data view (ML.NET's SchemaShape.Create is internal; its estimators call it).</summary>
    internal static SchemaShape ShapeOf(DataViewSchema schema)
        => (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.NonPublic, new[] { typeof(DataViewSchema) })!.Invoke(null, new object[] { schema })!;
}

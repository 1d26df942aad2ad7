using FreeEnergy.Models;
using FreeEnergy.Tensors;
using Microsoft.ML.Data;

namespace Microsoft.ML.FreeEnergy.Tests;

/// <summary>
/// Fit/Transform of each transform for each model kind against real ML.NET and ONNX Runtime; the values must equal
/// the engine's (the model the transformer exposes, evaluated by FreeEnergy itself) to 1e-5.
/// </summary>
public sealed class TransformTests
{
    private const float Tolerance = 1e-5f;

    public static TheoryData<FreeEnergyModelKind> Kinds => new() { FreeEnergyModelKind.BernoulliRbm, FreeEnergyModelKind.GaussianRbm, FreeEnergyModelKind.Vae, FreeEnergyModelKind.HierarchicalVae };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Encode_matches_the_engine(FreeEnergyModelKind kind)
    {
        var ml = new MLContext(seed: 1);
        var rows = Settings.DataFor(kind);
        var data = ml.Data.LoadFromEnumerable(rows);
        var transformer = ml.Transforms.FreeEnergyEncode("Encoded", "Features", Settings.For(kind)).Fit(data);
        var expected = transformer.Model.Encode(SyntheticRows.ToMatrix(rows).View);
        var actual = ReadVectors(transformer.Transform(data), "Encoded");
        Assert.Equal(transformer.Model.EncodedDimension, expected.Columns);
        AssertClose(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Reconstruct_matches_the_engine(FreeEnergyModelKind kind)
    {
        var ml = new MLContext(seed: 1);
        var rows = Settings.DataFor(kind);
        var data = ml.Data.LoadFromEnumerable(rows);
        var transformer = ml.Transforms.FreeEnergyReconstruct("Reconstruction", "Features", Settings.For(kind)).Fit(data);
        var expected = transformer.Model.Reconstruct(SyntheticRows.ToMatrix(rows).View);
        var actual = ReadVectors(transformer.Transform(data), "Reconstruction");
        AssertClose(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Score_matches_the_engine_as_a_single_column(FreeEnergyModelKind kind)
    {
        var ml = new MLContext(seed: 1);
        var rows = Settings.DataFor(kind);
        var data = ml.Data.LoadFromEnumerable(rows);
        var transformer = ml.Transforms.FreeEnergyScore("FreeEnergy", "Features", Settings.For(kind)).Fit(data);
        var output = transformer.Transform(data);
        Assert.Equal(NumberDataViewType.Single, output.Schema["FreeEnergy"].Type);
        var expected = transformer.Model.FreeEnergy(SyntheticRows.ToMatrix(rows).View);
        var actual = output.GetColumn<float>("FreeEnergy").ToArray();
        AssertClose(expected, actual);
        // Intermediate columns of the pipeline do not leak into the output.
        Assert.DoesNotContain(output.Schema, c => c.Name.StartsWith("FreeEnergyML.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(FreeEnergyModelKind.Vae)]
    [InlineData(FreeEnergyModelKind.HierarchicalVae)]
    public void Dynamic_binarisation_trains_on_draws_of_grey_rows_and_is_recorded(FreeEnergyModelKind kind)
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticRows.Binary(80, 0, 3);
        foreach (var row in rows) for (int j = 0; j < row.Features.Length; j++) row.Features[j] = 0.1f + 0.8f * row.Features[j];
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = Settings.For(kind);
        options.Vae.DynamicBinarization = true;
        var transformer = ml.Transforms.FreeEnergyScore("FreeEnergy", "Features", options).Fit(data);
        Assert.Equal("true", transformer.Model.Annotations["dynamic_binarization"]);
        AssertClose(transformer.Model.FreeEnergy(SyntheticRows.ToMatrix(rows).View), transformer.Transform(data).GetColumn<float>("FreeEnergy").ToArray());
    }

    [Fact]
    public void A_trained_model_is_wrapped_without_training()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticRows.Binary(30, 0, 5);
        var model = new BernoulliRbm(FeatureRow.Width, 4, Enumerable.Range(0, FeatureRow.Width * 4).Select(i => MathF.Sin(i) * 0.5f).ToArray(),
            Enumerable.Range(0, FeatureRow.Width).Select(i => 0.1f * i - 0.5f).ToArray(), new[] { 0.2f, -0.3f, 0.1f, 0f });
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.FreeEnergyScore("FreeEnergy", "Features", model)
            .Append(ml.Transforms.FreeEnergyEncode("Hidden", "Features", model));
        var fitted = pipeline.Fit(data);
        var output = fitted.Transform(data);
        var matrix = SyntheticRows.ToMatrix(rows).View;
        AssertClose(ReferenceFreeEnergy(model, matrix), output.GetColumn<float>("FreeEnergy").ToArray());
        AssertClose(model.Encode(matrix), ReadVectors(output, "Hidden"));
        Assert.Same(model, fitted.LastTransformer.Model);
    }

    [Theory]
    [InlineData("features", "hidden")]
    [InlineData("weights", "Features")]
    [InlineData("Features", "Features")]
    public void Column_names_that_match_graph_names_still_bind(string input, string output)
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticRows.Binary(20, 0, 9);
        var data = ml.Data.LoadFromEnumerable(rows);
        if (input != "Features") data = ml.Transforms.CopyColumns(input, "Features").Fit(data).Transform(data);
        var model = RbmTrainerModel(rows);
        var transformer = ml.Transforms.FreeEnergyReconstruct(output, input, model).Fit(data);
        AssertClose(model.Reconstruct(SyntheticRows.ToMatrix(rows).View), ReadVectors(transformer.Transform(data), output));
    }

    internal static BernoulliRbm RbmTrainerModel(FeatureRow[] rows)
        => global::FreeEnergy.Training.RbmTrainer.TrainBernoulli(SyntheticRows.ToMatrix(rows).View,
            new global::FreeEnergy.Training.RbmTrainingOptions { HiddenUnits = 5, Epochs = 3, BatchSize = 10, Seed = 3 });

    /// <summary>F(v) = -a.v - sum_j softplus(b_j + (vW)_j), written out independently of the engine's kernels.</summary>
    private static float[] ReferenceFreeEnergy(BernoulliRbm model, MatrixView v)
    {
        var doc = model.ToDocument();
        var w = doc.Tensor("weights", model.InputDimension, model.EncodedDimension);
        var a = doc.Tensor("visible_bias", model.InputDimension);
        var b = doc.Tensor("hidden_bias", model.EncodedDimension);
        var result = new float[v.Rows];
        for (int r = 0; r < v.Rows; r++)
        {
            var row = v.Row(r);
            double f = 0;
            for (int i = 0; i < row.Length; i++) f -= a[i] * row[i];
            for (int j = 0; j < b.Length; j++)
            {
                double x = b[j];
                for (int i = 0; i < row.Length; i++) x += row[i] * w[i * b.Length + j];
                f -= Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
            }
            result[r] = (float)f;
        }
        return result;
    }

    internal static float[][] ReadVectors(IDataView data, string column)
        => data.GetColumn<VBuffer<float>>(column).Select(v => v.DenseValues().ToArray()).ToArray();

    internal static void AssertClose(Matrix expected, float[][] actual)
    {
        Assert.Equal(expected.Rows, actual.Length);
        for (int r = 0; r < expected.Rows; r++)
        {
            Assert.Equal(expected.Columns, actual[r].Length);
            for (int c = 0; c < expected.Columns; c++)
                Assert.True(Math.Abs(expected[r, c] - actual[r][c]) <= Tolerance * Math.Max(1, Math.Abs(expected[r, c])),
                    $"row {r} column {c}: engine {expected[r, c]}, ML.NET {actual[r][c]}");
        }
    }

    internal static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int r = 0; r < expected.Length; r++)
            Assert.True(Math.Abs(expected[r] - actual[r]) <= Tolerance * Math.Max(1, Math.Abs(expected[r])),
                $"row {r}: expected {expected[r]}, ML.NET {actual[r]}");
    }
}

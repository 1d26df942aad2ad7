using Microsoft.ML.Data;

namespace Microsoft.ML.FreeEnergy.Tests;

/// <summary>Bad input fails with an exception that names the column.</summary>
public sealed class BadInputTests
{
    private sealed class ScalarRow
    {
        public float Value { get; set; }
    }

    private sealed class VariableRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class DoubleRow
    {
        [VectorType(3)]
        public double[] Features { get; set; } = new double[3];
    }

    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void A_missing_column_is_named()
    {
        var data = _ml.Data.LoadFromEnumerable(SyntheticRows.Binary(10, 0, 1));
        var error = Assert.ThrowsAny<ArgumentException>(() => _ml.Transforms.FreeEnergyScore("Out", "Pixels", Settings.For(FreeEnergyModelKind.BernoulliRbm)).Fit(data));
        Assert.Contains("'Pixels'", error.Message);
    }

    [Fact]
    public void A_scalar_column_is_named()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new ScalarRow { Value = 1 }, new ScalarRow { Value = 0 } });
        var error = Assert.ThrowsAny<ArgumentException>(() => _ml.Transforms.FreeEnergyEncode("Out", "Value", Settings.For(FreeEnergyModelKind.BernoulliRbm)).Fit(data));
        Assert.Contains("'Value'", error.Message);
        Assert.Contains("vector", error.Message);
    }

    [Fact]
    public void A_variable_length_column_is_named()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new VariableRow { Features = new float[] { 1, 0 } }, new VariableRow { Features = new float[] { 1, 0, 1 } } });
        var error = Assert.ThrowsAny<ArgumentException>(() => _ml.Transforms.FreeEnergyEncode("Out", "Features", Settings.For(FreeEnergyModelKind.BernoulliRbm)).Fit(data));
        Assert.Contains("'Features'", error.Message);
        Assert.Contains("variable-length", error.Message);
    }

    [Fact]
    public void A_vector_of_doubles_is_named()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { new DoubleRow() });
        var error = Assert.ThrowsAny<ArgumentException>(() => _ml.AnomalyDetection.Trainers.FreeEnergy().Fit(data));
        Assert.Contains("'Features'", error.Message);
        Assert.Contains("Single", error.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Non_finite_training_data_is_named_with_row_and_slot(float bad)
    {
        var rows = SyntheticRows.Binary(10, 0, 2);
        rows[4].Features[7] = bad;
        var data = _ml.Data.LoadFromEnumerable(rows);
        var error = Assert.Throws<InvalidOperationException>(() => _ml.Transforms.FreeEnergyScore("Out", "Features", Settings.For(FreeEnergyModelKind.BernoulliRbm)).Fit(data));
        Assert.Contains("'Features'", error.Message);
        Assert.Contains("row 4 slot 7", error.Message);
    }

    [Fact]
    public void Values_outside_the_model_range_are_named()
    {
        var rows = SyntheticRows.Binary(10, 0, 2);
        rows[3].Features[2] = 3;
        var data = _ml.Data.LoadFromEnumerable(rows);
        var error = Assert.Throws<InvalidOperationException>(() => _ml.Transforms.FreeEnergyEncode("Out", "Features", Settings.For(FreeEnergyModelKind.BernoulliRbm)).Fit(data));
        Assert.Contains("'Features'", error.Message);
    }

    [Fact]
    public void A_width_that_does_not_match_the_given_model_is_named()
    {
        var data = _ml.Data.LoadFromEnumerable(SyntheticRows.Binary(10, 0, 2));
        var model = new global::FreeEnergy.Models.BernoulliRbm(5, 2);
        var error = Assert.ThrowsAny<ArgumentException>(() => _ml.Transforms.FreeEnergyEncode("Out", "Features", model).Fit(data));
        Assert.Contains("'Features'", error.Message);
        Assert.Contains("12", error.Message);
    }
}

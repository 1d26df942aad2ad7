using FreeEnergy.Data;
using static FreeEnergy.Tests.Data.ParquetFiles;

namespace FreeEnergy.Tests.Data;

/// <summary>Parquet input: numeric columns of every width, labels by name, several row groups, and one-line errors naming file and column.</summary>
public class ParquetReaderTests
{
    [Fact]
    public void Reads_numeric_columns_and_a_named_label_across_row_groups()
    {
        using var dir = new TempDirectory();
        var path = Write(dir.File("t.parquet"), 2,
            Of("a", 1.5, -2, 3, 4.25, 5),
            Of("b", 1f, 2f, 3f, 4f, 5.5f),
            Of("class", 0, 1, 1, 0, 2),
            Of("c", 10L, 20L, 30L, 40L, 50L),
            Nullable<double>("d", 0.5, 0.25, 0.125, 1, 2));
        var set = DataReader.Read(path, new DataReadOptions { LabelColumnName = "class" });
        Assert.Equal(5, set.Features.Rows);
        Assert.Equal(4, set.Features.Columns);
        Assert.Equal(new float[] { 1.5f, 1f, 10f, 0.5f, -2f, 2f, 20f, 0.25f, 3f, 3f, 30f, 0.125f, 4.25f, 4f, 40f, 1f, 5f, 5.5f, 50f, 2f }, set.Features.Data);
        Assert.Equal(new[] { 0, 1, 1, 0, 2 }, set.Labels);

        // Without a label column every numeric column is a feature; batches cross row-group boundaries.
        var batches = DataReader.ReadLabeledBatches(path, 3, new DataReadOptions { LabelColumnName = "class", Class = 1 }).ToList();
        Assert.Equal(new float[] { -2f, 2f, 20f, 0.25f, 3f, 3f, 30f, 0.125f }, Assert.Single(batches).Features.Data);
        Assert.Equal(5, DataReader.Read(path).Features.Columns);
    }

    [Fact]
    public void Csv_label_column_by_header_name()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("t.csv", "x,label,y\n1,3,2\n4,5,6\n");
        var set = DataReader.Read(path, new DataReadOptions { LabelColumnName = "label" });
        Assert.Equal(new float[] { 1, 2, 4, 6 }, set.Features.Data);
        Assert.Equal(new[] { 3, 5 }, set.Labels);
        var e = Assert.Throws<DataFormatException>(() => DataReader.Read(path, new DataReadOptions { LabelColumnName = "nope" }));
        Assert.Contains("no column named 'nope'", e.Message);
    }

    [Fact]
    public void Not_parquet_and_truncated_files_are_one_line_errors()
    {
        using var dir = new TempDirectory();
        var text = dir.Write("text.parquet", "a,b\n1,2\n");
        var e = Assert.Throws<DataFormatException>(() => DataReader.Read(text));
        Assert.StartsWith(text + ":", e.Message);
        Assert.Contains("Parquet", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        var whole = Write(dir.File("whole.parquet"), 100, Of("a", Enumerable.Range(0, 100).Select(i => (double)i).ToArray()));
        var bytes = File.ReadAllBytes(whole);
        var truncated = dir.File("cut.parquet");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        e = Assert.Throws<DataFormatException>(() => DataReader.Read(truncated));
        Assert.StartsWith(truncated + ":", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_string_feature_column_is_named()
    {
        using var dir = new TempDirectory();
        var path = Write(dir.File("s.parquet"), 10, Of("a", 1.0, 2.0), Strings("city", "Oslo", "Rome"));
        var e = Assert.Throws<DataFormatException>(() => DataReader.Read(path));
        Assert.Equal(2, e.Column);
        Assert.Contains("column 'city'", e.Message);
        Assert.StartsWith(path + ", column 2:", e.Message);
    }

    [Fact]
    public void Nulls_and_non_finite_values_name_the_row_and_column()
    {
        using var dir = new TempDirectory();
        var path = Write(dir.File("n.parquet"), 2, Of("a", 1.0, 2.0, 3.0), Nullable<double>("b", 1.0, 2.0, null));
        var e = Assert.Throws<DataFormatException>(() => DataReader.Read(path));
        Assert.Equal((3L, 2), (e.Row!.Value, e.Column!.Value));
        Assert.Contains("null", e.Message);

        path = Write(dir.File("nan.parquet"), 10, Of("a", 1.0, double.NaN));
        e = Assert.Throws<DataFormatException>(() => DataReader.Read(path));
        Assert.Equal((2L, 1), (e.Row!.Value, e.Column!.Value));

        path = Write(dir.File("l.parquet"), 10, Of("a", 1.0, 2.0), Of("label", 1.0, 2.5));
        e = Assert.Throws<DataFormatException>(() => DataReader.Read(path, new DataReadOptions { LabelColumnName = "label" }));
        Assert.Equal((2L, 2), (e.Row!.Value, e.Column!.Value));
        e = Assert.Throws<DataFormatException>(() => DataReader.Read(path, new DataReadOptions { LabelColumnName = "y" }));
        Assert.Contains("no column named 'y'", e.Message);
    }

    [Fact]
    public void Table_writer_round_trips_through_the_reader()
    {
        using var dir = new TempDirectory();
        var path = dir.File("w.parquet");
        using (var stream = File.Create(path))
        using (var writer = new ParquetTableWriter(stream, ["x", "y"]))
        {
            for (int r = 0; r < 1000; r++) writer.Append([r, -0.5 * r]);
            writer.Complete();
        }
        var set = DataReader.Read(path);
        Assert.Equal(1000, set.Features.Rows);
        Assert.Equal(999f, set.Features[999, 0]);
        Assert.Equal(-499.5f, set.Features[999, 1]);
    }
}

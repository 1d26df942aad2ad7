using System.Globalization;
using FreeEnergy.Data;
using FreeEnergy.Tests.Data;
using FreeEnergy.Tests.Rbm;

namespace FreeEnergy.Tests.Cli;

/// <summary>The CLI reads .parquet wherever it reads --data, writes score tables as Parquet, and CSV -> Parquet -> score gives the CSV's scores.</summary>
public sealed class ParquetCliTests
{
    [Fact]
    public void Csv_converted_to_parquet_scores_the_same_and_score_writes_parquet()
    {
        using var dir = new TempDirectory();
        var m = RbmTestData.RandomBinary(300, 12, 7);
        var csv = dir.File("x.csv");
        File.WriteAllLines(csv, new[] { string.Join(",", Enumerable.Range(0, 12).Select(c => "f" + c) ) + ",label" }
            .Concat(Enumerable.Range(0, m.Rows).Select(r => string.Join(",", m.Row(r).ToArray().Select(x => x.ToString(CultureInfo.InvariantCulture))) + "," + (r % 3))));
        var parquet = dir.File("x.parquet");
        var rows = DataReader.Read(csv, new DataReadOptions { LabelColumnName = "label" });
        using (var stream = File.Create(parquet))
        using (var writer = new ParquetTableWriter(stream, Enumerable.Range(0, 12).Select(c => "f" + c).Append("label").ToArray()))
        {
            for (int r = 0; r < rows.Features.Rows; r++)
                writer.Append(rows.Features.Row(r).ToArray().Select(x => (double)x).Append(rows.Labels![r]).ToArray());
            writer.Complete();
        }

        var model = dir.File("m.fem");
        var (code, _, stderr) = CliSmokeTests.Run("train", "--model", "rbm", "--data", parquet, "--label-column", "label", "--class", "1",
            "--hidden", "5", "--epochs", "2", "--batch", "20", "--out", model);
        Assert.True(code == 0, stderr);

        var fromCsv = dir.File("csv-scores.csv");
        var fromParquetCsv = dir.File("parquet-scores.csv");
        var fromParquet = dir.File("parquet-scores.parquet");
        foreach (var (data, output) in new[] { (csv, fromCsv), (parquet, fromParquetCsv), (parquet, fromParquet) })
        {
            (code, _, stderr) = CliSmokeTests.Run("score", "--model", model, "--data", data, "--label-column", "label", "--out", output);
            Assert.True(code == 0, stderr);
        }

        // The same scores to the last printed digit; the Parquet output holds them as doubles (read back here as float).
        var expected = File.ReadAllLines(fromCsv);
        Assert.Equal(301, expected.Length);
        Assert.Equal(expected, File.ReadAllLines(fromParquetCsv));
        var actual = DataReader.Read(fromParquet).Features;
        Assert.Equal(1, actual.Columns);
        Assert.Equal(300, actual.Rows);
        for (int r = 0; r < 300; r++) Assert.Equal(double.Parse(expected[r + 1], CultureInfo.InvariantCulture), actual[r, 0], 1e-5);
    }

    [Fact]
    public void A_bad_parquet_file_is_a_one_line_cli_error()
    {
        using var dir = new TempDirectory();
        var path = ParquetFiles.Write(dir.File("s.parquet"), 10, ParquetFiles.Of("a", 1.0, 0.0), ParquetFiles.Strings("name", "x", "y"));
        var (code, stdout, stderr) = CliSmokeTests.Run("train", "--model", "rbm", "--data", path, "--hidden", "2", "--epochs", "1", "--out", dir.File("m.fem"));
        Assert.NotEqual(0, code);
        Assert.Contains("column 'name'", stderr);
        Assert.Contains(path, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}

using System.Globalization;
using System.Text;
using FreeEnergy.Data;

namespace FreeEnergy.Tests.Data;

public class CsvReaderTests
{
    private static string Table(string separator, bool header)
    {
        var text = new StringBuilder();
        if (header) text.Append(string.Join(separator, "a", "b b", "c")).Append('\n');
        text.Append(string.Join(separator, "1", "2.5", "-3e-2")).Append('\n');
        text.Append(string.Join(separator, "4", ".5", "+6")).Append('\n');
        return text.ToString();
    }

    [Theory]
    [InlineData(",", true)]
    [InlineData(",", false)]
    [InlineData(";", true)]
    [InlineData(";", false)]
    [InlineData("\t", true)]
    [InlineData("\t", false)]
    [InlineData(" ", false)]
    [InlineData("   ", false)]
    [InlineData(", ", true)]
    public void DetectsSeparatorAndHeader(string separator, bool header)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("t.csv", Table(separator, header && separator.Trim().Length > 0));
        var set = DataReader.Read(path);
        Assert.Equal(2, set.Features.Rows);
        Assert.Equal(new[] { 1f, 2.5f, -3e-2f, 4f, .5f, 6f }, set.Features.Data);
    }

    [Fact]
    public void WhitespaceSeparatedWithHeader()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("t.txt", "x  y\n 1 2 \n3\t4\n");
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, DataReader.Read(path).Features.Data);
    }

    [Fact]
    public void HandlesCrLfBlankLinesQuotesAndNoFinalNewline()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("t.csv", "\"p\",\"q\"\r\n\r\n\"1\",2\r\n  \r\n3,4");
        var set = DataReader.Read(path);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, set.Features.Data);
    }

    [Fact]
    public void ParsesWithTheInvariantCultureWhateverTheCurrentOne()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("t.csv", "1.5;2\n");
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal(new[] { 1.5f, 2f }, DataReader.Read(path).Features.Data);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void LabelColumnIsRemovedFromFeatures()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("t.csv", "label,x,y\n3,0.1,0.2\n7,0.3,0.4\n3,0.5,0.6\n");
        var set = DataReader.Read(path, new DataReadOptions { LabelColumn = 0 });
        Assert.Equal(2, set.Features.Columns);
        Assert.Equal(new[] { 3, 7, 3 }, set.Labels);
        Assert.Equal(new[] { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f }, set.Features.Data);

        var threes = DataReader.Read(path, new DataReadOptions { LabelColumn = 0, Class = 3 });
        Assert.Equal(new[] { 0.1f, 0.2f, 0.5f, 0.6f }, threes.Features.Data);
    }

    [Fact]
    public void HeaderCanBeForced()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("t.csv", "0,1,2\n5,6,7\n");
        Assert.Equal(2, DataReader.Read(path).Features.Rows);
        var set = DataReader.Read(path, new DataReadOptions { Header = true });
        Assert.Equal(new[] { 5f, 6f, 7f }, set.Features.Data);
        var text = dir.Write("u.csv", "a,b\n1,2\n");
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(text, new DataReadOptions { Header = false }));
        Assert.Equal(1, ex.Row);
        Assert.Equal(1, ex.Column);
    }

    [Fact]
    public void MissingLabelColumnIsAClearError()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("t.csv", "1,2,3\n");
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(path, new DataReadOptions { LabelColumn = 3 }));
        Assert.Contains("label column 3 (0-based) does not exist: rows have 3 columns", ex.Message);
        Assert.Contains("needs labels", Assert.Throws<DataFormatException>(() => DataReader.Read(path, new DataReadOptions { Class = 1 })).Message);
    }

    [Fact]
    public void NonIntegerLabelIsAnError()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("t.csv", "1,0.5\n2.5,0.5\n");
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(path, new DataReadOptions { LabelColumn = 0 }));
        Assert.Equal(2, ex.Row);
        Assert.Equal(1, ex.Column);
    }

    [Fact]
    public void GzippedCsvIsRead()
    {
        using var dir = new TempDirectory();
        var path = dir.File("t.csv.gz");
        File.WriteAllBytes(path, IdxFiles.Gzip(Encoding.UTF8.GetBytes("a,b\n1,2\n")));
        Assert.Equal(new[] { 1f, 2f }, DataReader.Read(path).Features.Data);
    }

    [Fact]
    public void RaggedRowNamesRowAndCounts()
    {
        using var dir = new TempDirectory();
        var text = new StringBuilder("c1,c2,c3,c4,c5,c6\n");
        for (int r = 1; r <= 20; r++) text.Append(r == 17 ? "1,2,3,4,5\n" : "1,2,3,4,5,6\n");
        var path = dir.Write("ragged.csv", text.ToString());
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(path));
        Assert.Contains("row 17 has 5 columns, expected 6", ex.Message);
        Assert.Contains("line 18", ex.Message);
        Assert.StartsWith(path, ex.Message);
        Assert.Equal(17, ex.Row);

        var wide = dir.Write("wide.csv", "1,2\n3,4,5\n");
        var wideEx = Assert.Throws<DataFormatException>(() => DataReader.Read(wide));
        Assert.Contains("row 2 has 3 columns, expected 2", wideEx.Message);
    }

    [Theory]
    [InlineData("abc", "'abc' is not a number")]
    [InlineData("1,5", "is not a number")]
    [InlineData("", "the cell is empty")]
    [InlineData("NaN", "not a finite number")]
    [InlineData("-Infinity", "not a finite number")]
    [InlineData("1e40", "not a finite number")]
    public void BadCellNamesFileRowAndColumn(string cell, string expected)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("bad.csv", $"a;b;c\n1;2;3\n4;{cell};6\n");
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(path));
        Assert.Contains(expected, ex.Message);
        Assert.Equal(path, ex.File);
        Assert.Equal(2, ex.Row);
        Assert.Equal(2, ex.Column);
        Assert.Contains($"{path}, row 2, column 2:", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n  \n")]
    public void EmptyFileIsAClearError(string text)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("empty.csv", text);
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(path));
        Assert.Contains("empty", ex.Message);
        Assert.Equal(path, ex.File);
    }

    [Fact]
    public void HeaderOnlyFileHasNoDataRows()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("header.csv", "a,b,c\n");
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(path));
        Assert.Contains("no data rows", ex.Message);
    }

    [Fact]
    public void MissingFileIsAClearError()
    {
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read("/no/such/dir/data.csv"));
        Assert.Contains("does not exist", ex.Message);
    }

    [Fact]
    public void SeparateLabelFileMustMatchRowCount()
    {
        using var dir = new TempDirectory();
        var data = dir.Write("x.csv", "1,2\n3,4\n5,6\n");
        var labels = dir.Write("y.csv", "0\n1\n");
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(data, new DataReadOptions { LabelsPath = labels }));
        Assert.Contains("has 2 labels but the data has more rows", ex.Message);
        Assert.Equal(3, ex.Row);

        var many = dir.Write("w.csv", "0\n1\n1\n0\n");
        var manyEx = Assert.Throws<DataFormatException>(() => DataReader.Read(data, new DataReadOptions { LabelsPath = many }));
        Assert.Contains("has 4 labels but the data has 3 rows", manyEx.Message);

        var good = dir.Write("z.csv", "0\n1\n1\n");
        Assert.Equal(new[] { 0, 1, 1 }, DataReader.Read(data, new DataReadOptions { LabelsPath = good }).Labels);
    }

    [Fact]
    public void BatchesReadInBoundedPiecesAndMatchTheWholeRead()
    {
        using var dir = new TempDirectory();
        var text = new StringBuilder("h1,h2,h3\n");
        for (int r = 0; r < 1000; r++) text.Append(CultureInfo.InvariantCulture, $"{r},{r * 0.5},{-r}\n");
        var path = dir.Write("big.csv", text.ToString());
        var whole = DataReader.Read(path);
        var values = new List<float>();
        int batches = 0;
        foreach (var batch in DataReader.ReadBatches(path, 64))
        {
            Assert.True(batch.Rows <= 64);
            values.AddRange(batch.Data);
            batches++;
        }
        Assert.Equal(16, batches);
        Assert.Equal(whole.Features.Data, values);
        Assert.Equal(10, DataReader.ReadBatches(path, 3, new DataReadOptions { MaxRows = 10 }).Sum(b => b.Rows));
    }

    [Fact]
    public void LongLinesBeyondTheBufferAreRead()
    {
        using var dir = new TempDirectory();
        const int columns = 20000; // > 64 KiB per line
        var line = string.Join(",", Enumerable.Range(0, columns).Select(i => (i % 10).ToString(CultureInfo.InvariantCulture)));
        var path = dir.Write("wide.csv", line + "\n" + line + "\n");
        var set = DataReader.Read(path);
        Assert.Equal(2, set.Features.Rows);
        Assert.Equal(columns, set.Features.Columns);
        Assert.Equal(9f, set.Features[1, columns - 1]);
    }
}

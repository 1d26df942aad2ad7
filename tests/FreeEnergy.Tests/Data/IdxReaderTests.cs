using FreeEnergy.Data;

namespace FreeEnergy.Tests.Data;

public class IdxReaderTests
{
    [Theory]
    [InlineData("images.idx", false)]
    [InlineData("images.idx.gz", true)]
    [InlineData("images.idx", true)] // gzip detected by magic bytes, not the name
    [InlineData("images-idx3-ubyte", false)]
    public void ReadsUnsignedBytesScaledToUnitInterval(string name, bool gzip)
    {
        using var dir = new TempDirectory();
        var (images, _) = IdxFiles.Mnist(5, 2, 3);
        var path = dir.File(name);
        File.WriteAllBytes(path, gzip ? IdxFiles.Gzip(images) : images);

        var set = DataReader.Read(path);

        Assert.Equal(5, set.Features.Rows);
        Assert.Equal(6, set.Features.Columns);
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 6; j++) Assert.Equal(IdxFiles.Pixel(i, j), set.Features[i, j]);
        Assert.Null(set.Labels);
    }

    [Fact]
    public void ScaleBytesOffKeepsRawValues()
    {
        using var dir = new TempDirectory();
        var path = dir.File("raw.idx");
        File.WriteAllBytes(path, IdxFiles.UnsignedBytes([2, 2], [0, 255, 17, 128]));
        var set = DataReader.Read(path, new DataReadOptions { ScaleBytes = false });
        Assert.Equal(new float[] { 0, 255, 17, 128 }, set.Features.Data);
    }

    [Fact]
    public void ReadsFloat32Idx()
    {
        using var dir = new TempDirectory();
        var path = dir.File("values.idx");
        var values = new[] { 1.5f, -2.25f, 3e-8f, 1e30f, 0f, -0f };
        File.WriteAllBytes(path, IdxFiles.Float32([3, 2], values));
        var set = DataReader.Read(path);
        Assert.Equal(3, set.Features.Rows);
        Assert.Equal(values, set.Features.Data);
    }

    [Theory]
    [InlineData("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")]
    [InlineData("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")]
    [InlineData("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte")]
    [InlineData("train-images.idx3-ubyte", "train-labels.idx1-ubyte")]
    public void FindsTheMnistLabelFile(string imagesName, string labelsName)
    {
        using var dir = new TempDirectory();
        var (images, labels) = IdxFiles.Mnist(7, 2, 2);
        File.WriteAllBytes(dir.File(imagesName), imagesName.EndsWith(".gz") ? IdxFiles.Gzip(images) : images);
        File.WriteAllBytes(dir.File(labelsName), labelsName.EndsWith(".gz") ? IdxFiles.Gzip(labels) : labels);

        var set = DataReader.Read(dir.File(imagesName));

        Assert.Equal(new[] { 0, 1, 2, 0, 1, 2, 0 }, set.Labels);
    }

    [Fact]
    public void ClassFilterKeepsOnlyThatLabelAndMaxRowsCountsKeptRows()
    {
        using var dir = new TempDirectory();
        var (images, labels) = IdxFiles.Mnist(10, 1, 3);
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte"), images);
        File.WriteAllBytes(dir.File("train-labels-idx1-ubyte"), labels);

        var ones = DataReader.Read(dir.File("train-images-idx3-ubyte"), new DataReadOptions { Class = 1 });
        Assert.Equal(3, ones.Features.Rows); // rows 1, 4, 7
        Assert.All(ones.Labels!, l => Assert.Equal(1, l));
        Assert.Equal(IdxFiles.Pixel(4, 2), ones.Features[1, 2]);

        var two = DataReader.Read(dir.File("train-images-idx3-ubyte"), new DataReadOptions { Class = 1, MaxRows = 2 });
        Assert.Equal(2, two.Features.Rows);
        Assert.Equal(IdxFiles.Pixel(4, 0), two.Features[1, 0]);

        var first = DataReader.Read(dir.File("train-images-idx3-ubyte"), new DataReadOptions { MaxRows = 4 });
        Assert.Equal(4, first.Features.Rows);
        Assert.Equal(new[] { 0, 1, 2, 0 }, first.Labels);
    }

    [Fact]
    public void LabelsPathOverridesThePair()
    {
        using var dir = new TempDirectory();
        var (images, labels) = IdxFiles.Mnist(4, 1, 2);
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte"), images);
        File.WriteAllBytes(dir.File("train-labels-idx1-ubyte"), labels);
        var other = dir.Write("other.csv", "9\n8\n7\n6\n");

        var set = DataReader.Read(dir.File("train-images-idx3-ubyte"), new DataReadOptions { LabelsPath = other });

        Assert.Equal(new[] { 9, 8, 7, 6 }, set.Labels);
    }

    [Fact]
    public void LabelCountMismatchIsAClearError()
    {
        using var dir = new TempDirectory();
        var (images, _) = IdxFiles.Mnist(5, 1, 2);
        var (_, labels) = IdxFiles.Mnist(4, 1, 2);
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte"), images);
        File.WriteAllBytes(dir.File("t10k-labels-idx1-ubyte"), labels);

        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(dir.File("t10k-images-idx3-ubyte")));

        Assert.Contains("t10k-labels-idx1-ubyte has 4 labels", ex.Message);
        Assert.Contains("5 rows", ex.Message);
        Assert.Equal(dir.File("t10k-images-idx3-ubyte"), ex.File);
    }

    [Fact]
    public void ClassWithoutLabelsIsAClearError()
    {
        using var dir = new TempDirectory();
        var path = dir.File("images.idx");
        File.WriteAllBytes(path, IdxFiles.Mnist(3, 1, 2).Images);
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(path, new DataReadOptions { Class = 1 }));
        Assert.Contains("needs labels", ex.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x01, 0x00, 0x08, 0x01 }, "magic number")]
    [InlineData(new byte[] { 0x00, 0x00, 0x07, 0x01 }, "element type code 0x07")]
    [InlineData(new byte[] { 0x00, 0x00, 0x08, 0x00 }, "zero dimensions")]
    [InlineData(new byte[] { 0x00, 0x00 }, "too short")]
    [InlineData(new byte[0], "empty")]
    [InlineData(new byte[] { 0x00, 0x00, 0x08, 0x02, 0x10, 0, 0, 0, 0, 0, 0, 0 }, "rows with no values")]
    [InlineData(new byte[] { 0x00, 0x00, 0x08, 0x03, 0, 0, 0, 2 }, "truncated inside its header")]
    public void BadHeadersNameTheFileAndTheProblem(byte[] content, string expected)
    {
        using var dir = new TempDirectory();
        var path = dir.File("bad.idx");
        File.WriteAllBytes(path, content);
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(path));
        Assert.Contains(expected, ex.Message);
        Assert.Equal(path, ex.File);
        Assert.StartsWith(path, ex.Message);
    }

    [Fact]
    public void TruncationAnywhereIsADataFormatException()
    {
        using var dir = new TempDirectory();
        var (images, _) = IdxFiles.Mnist(4, 2, 3);
        for (int length = 0; length < images.Length; length++)
        {
            foreach (bool gzip in new[] { false, true })
            {
                var path = dir.File($"cut{length}{(gzip ? ".idx.gz" : ".idx")}");
                File.WriteAllBytes(path, gzip ? IdxFiles.Gzip(images[..length]) : images[..length]);
                var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(path));
                Assert.Equal(path, ex.File);
                if (length >= 16) // inside the data (16-byte header, 6-byte rows): names the row
                {
                    Assert.Contains("truncated", ex.Message);
                    Assert.Equal((length - 16) / 6 + 1, ex.Row);
                }
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AHeaderDeclaringBillionsOfRowsIsTruncationNotOutOfMemory(bool gzip)
    {
        using var dir = new TempDirectory();
        var bytes = IdxFiles.UnsignedBytes([1 << 30, 28, 28], new byte[3 * 784 + 5]);
        var path = dir.File(gzip ? "huge.idx.gz" : "huge.idx");
        File.WriteAllBytes(path, gzip ? IdxFiles.Gzip(bytes) : bytes);
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(path));
        Assert.Contains("truncated", ex.Message);
        Assert.Equal(4, ex.Row);
    }

    [Fact]
    public void ADirectoryIsAClearError()
    {
        using var dir = new TempDirectory();
        Assert.Contains("directory", Assert.Throws<DataFormatException>(() => DataReader.Read(dir.Path)).Message);
    }

    [Fact]
    public void CorruptGzipIsADataFormatException()
    {
        using var dir = new TempDirectory();
        var gz = IdxFiles.Gzip(IdxFiles.Mnist(20, 4, 4).Images);
        for (int i = 12; i < gz.Length - 8; i++) gz[i] ^= 0x5A;
        var path = dir.File("corrupt.idx.gz");
        File.WriteAllBytes(path, gz);
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(path));
        Assert.Equal(path, ex.File);
    }

    [Fact]
    public void TruncatedGzipStreamIsADataFormatException()
    {
        using var dir = new TempDirectory();
        var gz = IdxFiles.Gzip(IdxFiles.Mnist(30, 5, 5).Images);
        // Cuts inside the compressed data (the last 8 bytes are the CRC/size trailer, after all the content).
        for (int length = 1; length < gz.Length - 8; length += 7)
        {
            var path = dir.File($"cut{length}.idx.gz");
            File.WriteAllBytes(path, gz[..length]);
            var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(path));
            Assert.Equal(path, ex.File);
        }
    }

    [Fact]
    public void DataAfterTheDeclaredRowsIsAnError()
    {
        using var dir = new TempDirectory();
        var path = dir.File("long.idx");
        File.WriteAllBytes(path, [.. IdxFiles.Mnist(2, 1, 2).Images, 1, 2]);
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(path));
        Assert.Contains("data after the 2 rows", ex.Message);
    }

    [Fact]
    public void BatchesConcatenateToTheWholeFile()
    {
        using var dir = new TempDirectory();
        var (images, labels) = IdxFiles.Mnist(11, 2, 2);
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte.gz"), IdxFiles.Gzip(images));
        File.WriteAllBytes(dir.File("train-labels-idx1-ubyte.gz"), IdxFiles.Gzip(labels));
        var path = dir.File("train-images-idx3-ubyte.gz");
        var whole = DataReader.Read(path);

        var sizes = new List<int>();
        var values = new List<float>();
        var batchLabels = new List<int>();
        foreach (var batch in DataReader.ReadLabeledBatches(path, 4))
        {
            sizes.Add(batch.Features.Rows);
            values.AddRange(batch.Features.Data);
            batchLabels.AddRange(batch.Labels!);
        }

        Assert.Equal(new[] { 4, 4, 3 }, sizes);
        Assert.Equal(whole.Features.Data, values);
        Assert.Equal(whole.Labels, batchLabels);
        Assert.Equal(3, DataReader.ReadBatches(path, 4, new DataReadOptions { Class = 2 }).Sum(m => m.Rows));
    }
}

using FreeEnergy.Cli.Plots;

namespace FreeEnergy.Tests.Plots;

public class PngEncoderTests
{
    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute(ReadOnlySpan<byte>.Empty));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(13, 7)]
    [InlineData(64, 3)]
    public void GrayImagesRoundTrip(int width, int height)
    {
        var pixels = new byte[width * height];
        new Random(width * 31 + height).NextBytes(pixels);
        var image = PngReader.Decode(PngEncoder.EncodeGray(width, height, pixels));
        Assert.Equal((width, height, 1), (image.Width, image.Height, image.Channels));
        Assert.Equal(pixels, image.Pixels);
        Assert.Equal(["IHDR", "IDAT", "IEND"], image.Chunks);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(9, 11)]
    public void RgbImagesRoundTrip(int width, int height)
    {
        var pixels = new byte[width * height * 3];
        new Random(width * 17 + height).NextBytes(pixels);
        var image = PngReader.Decode(PngEncoder.EncodeRgb(width, height, pixels));
        Assert.Equal((width, height, 3), (image.Width, image.Height, image.Channels));
        Assert.Equal(pixels, image.Pixels);
    }

    [Fact]
    public void WrongSizesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => PngEncoder.EncodeGray(0, 1, []));
        Assert.Throws<ArgumentException>(() => PngEncoder.EncodeGray(2, 2, new byte[3]));
        Assert.Throws<ArgumentException>(() => PngEncoder.EncodeRgb(2, 2, new byte[4]));
    }
}

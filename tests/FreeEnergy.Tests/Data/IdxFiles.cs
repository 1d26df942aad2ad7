using System.Buffers.Binary;
using System.IO.Compression;

namespace FreeEnergy.Tests.Data;

/// <summary>Writes small IDX files for tests (independently of the reader: bytes laid out by hand).</summary>
internal static class IdxFiles
{
    public static byte[] UnsignedBytes(int[] dimensions, byte[] values)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + values.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dimensions.Length;
        for (int d = 0; d < dimensions.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dimensions[d]);
        values.CopyTo(bytes, 4 + 4 * dimensions.Length);
        return bytes;
    }

    public static byte[] Float32(int[] dimensions, float[] values)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + 4 * values.Length];
        bytes[2] = 0x0D;
        bytes[3] = (byte)dimensions.Length;
        for (int d = 0; d < dimensions.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dimensions[d]);
        int offset = 4 + 4 * dimensions.Length;
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(offset + 4 * i), values[i]);
        return bytes;
    }

    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(content);
        return output.ToArray();
    }

    /// <summary>n images of rows x cols with pixel (i, j) = (7 * i + j) mod 256, and labels i mod 3.</summary>
    public static (byte[] Images, byte[] Labels) Mnist(int n, int rows, int cols)
    {
        var pixels = new byte[n * rows * cols];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < rows * cols; j++) pixels[i * rows * cols + j] = (byte)((7 * i + j) % 256);
        var labels = new byte[n];
        for (int i = 0; i < n; i++) labels[i] = (byte)(i % 3);
        return (UnsignedBytes([n, rows, cols], pixels), UnsignedBytes([n], labels));
    }

    public static float Pixel(int i, int j) => (byte)((7 * i + j) % 256) / 255f;

    /// <summary>Writes <see cref="Mnist"/> images as the gzipped training and test image files of an MNIST directory.</summary>
    public static void WriteMnistDirectory(TempDirectory dir, int trainRows, int testRows)
    {
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte.gz"), Gzip(Mnist(trainRows, 28, 28).Images));
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte.gz"), Gzip(Mnist(testRows, 28, 28).Images));
    }
}

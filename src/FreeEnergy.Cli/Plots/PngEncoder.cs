using System.Buffers.Binary;
using System.IO.Compression;

namespace FreeEnergy.Cli.Plots;

/// <summary>A minimal PNG writer: 8-bit grayscale or RGB, no interlace, one zlib-compressed IDAT chunk.</summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes 8-bit grayscale pixels, row-major, one byte per pixel (0 = black).</summary>
    public static byte[] EncodeGray(int width, int height, ReadOnlySpan<byte> pixels) => Encode(width, height, pixels, channels: 1);

    /// <summary>Encodes 8-bit RGB pixels, row-major, three bytes per pixel.</summary>
    public static byte[] EncodeRgb(int width, int height, ReadOnlySpan<byte> pixels) => Encode(width, height, pixels, channels: 3);

    private static byte[] Encode(int width, int height, ReadOnlySpan<byte> pixels, int channels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"A PNG image needs a positive size (got {width}x{height}).");
        long stride = (long)width * channels;
        if (pixels.Length != stride * height)
            throw new ArgumentException($"A {width}x{height} image with {channels} channel(s) needs {stride * height} bytes (got {pixels.Length}).");

        using var png = new MemoryStream();
        png.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;                              // bit depth
        header[9] = (byte)(channels == 1 ? 0 : 2);  // colour type: grayscale or truecolour
        header[10] = 0;                             // deflate
        header[11] = 0;                             // adaptive filtering
        header[12] = 0;                             // no interlace
        WriteChunk(png, "IHDR"u8, header);

        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                // Filter type 1 (Sub) per row: small and good for charts with flat areas and grids alike.
                var row = new byte[stride + 1];
                for (int y = 0; y < height; y++)
                {
                    var source = pixels.Slice((int)(y * stride), (int)stride);
                    row[0] = 1;
                    for (int i = 0; i < stride; i++)
                        row[i + 1] = (byte)(source[i] - (i >= channels ? source[i - channels] : 0));
                    zlib.Write(row);
                }
            }
            WriteChunk(png, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        }
        WriteChunk(png, "IEND"u8, ReadOnlySpan<byte>.Empty);
        return png.ToArray();
    }

    private static void WriteChunk(Stream stream, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        stream.Write(type);
        stream.Write(data);
        uint crc = Crc32.Finish(Crc32.Update(Crc32.Update(Crc32.Initial, type), data));
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        stream.Write(word);
    }
}

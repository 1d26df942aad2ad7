using System.Buffers.Binary;
using System.IO.Compression;

namespace FreeEnergy.Cli.Infrastructure;

/// <summary>A minimal PNG writer for 8-bit greyscale images (zlib via <see cref="ZLibStream"/>, CRC-32 per chunk).</summary>
internal static class PngImage
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Writes a greyscale image; <paramref name="pixels"/> is row-major, <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static void WriteGray(Stream output, int width, int height, ReadOnlySpan<byte> pixels)
    {
        if (width <= 0 || height <= 0 || pixels.Length != width * height) throw new ArgumentException("pixel count does not match the image size.");
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;  // bit depth
        header[9] = 0;  // greyscale
        WriteChunk(output, "IHDR", header);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0); // filter: none
                z.Write(pixels.Slice(y * width, width));
            }
        }
        WriteChunk(output, "IDAT", raw.ToArray());
        WriteChunk(output, "IEND", []);
    }

    /// <summary>Tiles rows of values in [0, 1] (each <paramref name="tileWidth"/> x <paramref name="tileHeight"/>) into a grid with 1-pixel gaps.</summary>
    public static (int Width, int Height, byte[] Pixels) Grid(float[] rows, int count, int tileWidth, int tileHeight, int columns)
    {
        columns = Math.Max(1, Math.Min(columns, count));
        int gridRows = (count + columns - 1) / columns;
        int width = columns * (tileWidth + 1) + 1, height = gridRows * (tileHeight + 1) + 1;
        var pixels = new byte[width * height];
        Array.Fill(pixels, (byte)64);
        int size = tileWidth * tileHeight;
        for (int t = 0; t < count; t++)
        {
            int ox = 1 + (t % columns) * (tileWidth + 1), oy = 1 + (t / columns) * (tileHeight + 1);
            for (int y = 0; y < tileHeight; y++)
                for (int x = 0; x < tileWidth; x++)
                {
                    float v = rows[t * size + y * tileWidth + x];
                    v = float.IsFinite(v) ? Math.Clamp(v, 0f, 1f) : 0f;
                    pixels[(oy + y) * width + ox + x] = (byte)MathF.Round(v * 255f);
                }
        }
        return (width, height, pixels);
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        output.Write(buffer);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        uint crc = Crc32(Crc32(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(buffer, crc);
        output.Write(buffer);
    }

    internal static uint Crc32(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}

using System.Buffers.Binary;
using System.IO.Compression;

namespace FreeEnergy.Onnx.Tests.Harness;

/// <summary>A minimal reader of the first rows of the MNIST training images (gzip IDX), scaled to [0, 1].</summary>
internal static class MnistRows
{
    private static readonly string[] Folders = Candidates();
    private static readonly Lazy<float[]?> Cache = new(() => ImagesPath is null ? null : Read(ImagesPath, MaxRows));

    public const int Width = 784;
    public const int MaxRows = 300;

    /// <summary>$FREEENERGY_MNIST, the repository's data/mnist (build/fetch-mnist.sh), ../shared/data/mnist next to it.</summary>
    private static string[] Candidates()
    {
        var folders = new List<string> { Environment.GetEnvironmentVariable("FREEENERGY_MNIST") ?? "" };
        if (OnnxRuntimeHarness.RepositoryRoot() is string root)
        {
            folders.Add(Path.Combine(root, "data", "mnist"));
            folders.Add(Path.Combine(root, "..", "shared", "data", "mnist"));
        }
        folders.Add("/work/shared/data/mnist");
        return folders.ToArray();
    }

    public static string? ImagesPath
    {
        get
        {
            foreach (var folder in Folders)
            {
                if (folder.Length == 0) continue;
                string path = Path.Combine(folder, "train-images-idx3-ubyte.gz");
                if (File.Exists(path)) return path;
            }
            return null;
        }
    }

    /// <summary>The first <paramref name="rows"/> (at most <see cref="MaxRows"/>) images as [rows, 784].</summary>
    public static float[] Take(int rows)
    {
        var all = Cache.Value ?? throw new InvalidOperationException("MNIST is not available.");
        return all.AsSpan(0, rows * Width).ToArray();
    }

    private static float[] Read(string path, int rows)
    {
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        Span<byte> header = stackalloc byte[16];
        stream.ReadExactly(header);
        if (BinaryPrimitives.ReadInt32BigEndian(header) != 0x803) throw new InvalidDataException("not an IDX3 ubyte file");
        int count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        int width = BinaryPrimitives.ReadInt32BigEndian(header[8..]) * BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        if (width != Width || count < rows) throw new InvalidDataException("unexpected MNIST shape");
        var bytes = new byte[rows * width];
        stream.ReadExactly(bytes);
        var data = new float[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) data[i] = bytes[i] / 255f;
        return data;
    }
}

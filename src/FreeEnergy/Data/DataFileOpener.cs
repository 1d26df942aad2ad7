using System.IO.Compression;

namespace FreeEnergy.Data;

/// <summary>Opens data files for reading, transparently decompressing gzip (detected by its magic bytes, not the name).</summary>
internal static class DataFileOpener
{
    private const int BufferSize = 1 << 16;

    /// <summary>Opens <paramref name="path"/>; a missing or unreadable file is a <see cref="DataFormatException"/>.</summary>
    public static Stream Open(string path)
    {
        var file = OpenFile(path);
        Span<byte> magic = stackalloc byte[2];
        int read = 0;
        while (read < 2)
        {
            int n = file.Read(magic[read..]);
            if (n == 0) break;
            read += n;
        }
        file.Position = 0;
        if (read == 2 && magic[0] == 0x1F && magic[1] == 0x8B)
            return new BufferedStream(new GZipStream(file, CompressionMode.Decompress, leaveOpen: false), BufferSize);
        return file;
    }

    /// <summary>Opens <paramref name="path"/> as a plain seekable file (no decompression); a missing or unreadable file, a pipe or a device is a <see cref="DataFormatException"/>.</summary>
    public static FileStream OpenFile(string path)
    {
        if (Directory.Exists(path))
            throw new DataFormatException("this is a directory; give a data file (e.g. train-images-idx3-ubyte.gz or a .csv file).", path);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException("the file does not exist.", path, innerException: ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException($"the file cannot be opened: {ex.Message}", path, innerException: ex);
        }
        if (file.CanSeek) return file;
        // Formats are told by their first bytes and read in more than one pass: a pipe gives its bytes only once.
        file.Dispose();
        throw new DataFormatException("this is a pipe or a device, not a file; data is read from regular files only (write it to a file first).", path);
    }

    /// <summary>True when the (decompressed) content starts like an IDX file: two zero bytes, a known type code and a dimension count.</summary>
    public static bool LooksLikeIdx(string path)
    {
        using var stream = Open(path);
        Span<byte> head = stackalloc byte[4];
        int read = 0;
        try
        {
            while (read < 4)
            {
                int n = stream.Read(head[read..]);
                if (n == 0) break;
                read += n;
            }
        }
        catch (InvalidDataException)
        {
            return false;
        }
        return read == 4 && head[0] == 0 && head[1] == 0 && IdxElementTypes.IsKnown(head[2]) && head[3] >= 1;
    }
}

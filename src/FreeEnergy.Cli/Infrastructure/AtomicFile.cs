namespace FreeEnergy.Cli.Infrastructure;

/// <summary>
/// Writes an output file through a temporary file in the same folder and a rename, so a failure leaves no partial file.
/// An IO or permission failure of the file itself becomes a <see cref="CliException"/> naming the user's path and the
/// reason (never the temporary file); errors raised by <c>write</c> (bad data rows) pass through unchanged.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new CliException($"cannot write {path}: it is a folder; give a file name.");
        var folder = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(folder)) throw new CliException($"cannot write {path}: the folder {folder} does not exist.");
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = Guard(path, temp, () => new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16)))
            {
                write(new GuardedStream(stream, path, temp));
                Guard(path, temp, () => { stream.Flush(flushToDisk: true); return 0; });
            }
            Guard(path, temp, () => { File.Move(temp, full, overwrite: true); return 0; });
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    public static void WriteText(string path, Action<TextWriter> write)
        => Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            write(writer);
            writer.Flush();
        });

    /// <summary>Runs one file operation, turning its IO or permission failure into the user's one line.</summary>
    private static T Guard<T>(string path, string temp, Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw OutputPath.WriteFailure(path, ex, temp);
        }
    }

    /// <summary>The temporary file's stream, whose write failures (a full disk) name the user's path.</summary>
    private sealed class GuardedStream(Stream inner, string path, string temp) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => Guard(path, temp, () => { inner.Flush(); return 0; });
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Guard(path, temp, () => { inner.Write(buffer, offset, count); return 0; });
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try { inner.Write(buffer); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw OutputPath.WriteFailure(path, ex, temp);
            }
        }
    }
}

namespace FreeEnergy.Cli.Infrastructure;

/// <summary>
/// Checks where a verb will write before it does any work, so that a bad <c>--out</c> or <c>--plots</c> fails at once
/// instead of after training: the path is not a folder, its folder exists and takes a new file (a probe file is
/// created and deleted), and an existing file there may be replaced. Failures are one <see cref="CliException"/>
/// line naming the user's path and the reason, never a temporary file name or a .NET message.
/// </summary>
internal static class OutputPath
{
    /// <summary>Checks the output file <paramref name="path"/> given with <paramref name="option"/>; returns it unchanged.</summary>
    public static string CheckFile(string path, string option = "--out")
    {
        if (string.IsNullOrWhiteSpace(path)) throw new CliException($"{option} needs a file name.");
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full) || EndsWithSeparator(path))
            throw new CliException($"{option} {path} is a folder; give a file name inside it.");
        string folder = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(folder)) throw new CliException($"cannot write {option} {path}: the folder {folder} does not exist.");
        ProbeFolder(folder, $"cannot write {option} {path}");
        if (File.Exists(full) && (File.GetAttributes(full) & FileAttributes.ReadOnly) != 0)
            throw new CliException($"cannot replace {option} {path}: the file exists and is read-only.");
        return path;
    }

    /// <summary>Checks the output folder <paramref name="path"/> given with <paramref name="option"/> (created when missing, like <c>mkdir -p</c>).</summary>
    public static string CheckFolder(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new CliException($"{option} needs a folder name.");
        string full = Path.GetFullPath(path);
        if (File.Exists(full)) throw new CliException($"{option} {path} is a file; give a folder for the pictures.");
        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot create {option} folder {path}: {Reason(ex, full, path)}.");
        }
        ProbeFolder(full, $"cannot write into {option} folder {path}");
        return path;
    }

    /// <summary>The one line for a failed write of <paramref name="path"/> (through <paramref name="actualPath"/>, e.g. a temporary file).</summary>
    public static CliException WriteFailure(string path, Exception ex, string? actualPath = null)
        => new($"cannot write {path}: {Reason(ex, actualPath ?? Path.GetFullPath(path), path)}.");

    /// <summary>
    /// The reason an IO or permission failure gives, in the user's words: "permission denied" and the like, with any
    /// path in the .NET message (a temporary file's included) replaced by <paramref name="userPath"/>.
    /// </summary>
    public static string Reason(Exception ex, string actualPath, string userPath)
    {
        switch (ex)
        {
            case UnauthorizedAccessException:
                return "permission denied";
            case DirectoryNotFoundException:
                return "the folder does not exist";
            case FileNotFoundException:
                return "the file system does not allow creating files there";
            case PathTooLongException:
                return "the name is too long";
        }
        string message = ex.Message.ReplaceLineEndings(" ").Trim();
        // .NET on Unix appends " : 'PATH'" to the system error text; the text before it is the reason.
        int quote = message.IndexOf(" : '", StringComparison.Ordinal);
        if (quote > 0) message = message[..quote];
        message = message.Replace(actualPath, userPath, StringComparison.Ordinal).TrimEnd('.');
        return message.Length == 0 ? "an input/output error" : char.ToLowerInvariant(message[0]) + message[1..];
    }

    private static void ProbeFolder(string folder, string what)
    {
        string probe = Path.Combine(folder, $".freeenergy-probe.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{what}: {Reason(ex, probe, folder)}.");
        }
        finally
        {
            try { File.Delete(probe); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static bool EndsWithSeparator(string path) =>
        path.EndsWith(Path.DirectorySeparatorChar) || path.EndsWith(Path.AltDirectorySeparatorChar);
}

using System.Diagnostics;
using System.Text;
using FreeEnergy.Cli;

namespace FreeEnergy.Tests.Reliability;

/// <summary>
/// <c>freeenergy score</c> streams: a 200,000 x 20 CSV (16 MB as floats) is scored by a child process whose GC heap
/// is capped at 16 MB (loading the file at once cannot fit), and its peak resident memory grows by far less than the
/// data size over scoring a 1,000-row file. The output has one line per row and matches in-process scoring.
/// </summary>
public sealed class StreamingScoreMemoryTests
{
    private const int Columns = 20;

    private static string WriteCsv(string path, int rows)
    {
        // Rows drawn from a pool of distinct random lines: content does not matter here, only size.
        var rng = new Random(rows);
        var pool = new byte[509][];
        for (int p = 0; p < pool.Length; p++)
        {
            var line = new StringBuilder();
            for (int c = 0; c < Columns; c++) line.Append(c == 0 ? "" : ",").Append(rng.Next(2) == 0 ? '0' : '1');
            pool[p] = Encoding.ASCII.GetBytes(line.Append('\n').ToString());
        }
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        for (int r = 0; r < rows; r++) stream.Write(pool[r % pool.Length]);
        return path;
    }

    /// <summary>Runs the CLI in a child process with a 16 MB GC heap cap; returns the exit code and the peak resident set (VmHWM) seen.</summary>
    private static (int Code, long PeakBytes, string Err) RunScore(string model, string data, string output)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "exec", typeof(CommandLineApp).Assembly.Location, "score", "--model", model, "--data", data, "--out", output, "--threads", "1" })
            start.ArgumentList.Add(arg);
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x1000000";
        using var child = Process.Start(start)!;
        var err = child.StandardError.ReadToEndAsync();
        var outText = child.StandardOutput.ReadToEndAsync();
        long peak = 0;
        while (!child.HasExited)
        {
            peak = Math.Max(peak, HighWaterMark(child.Id));
            Thread.Sleep(5);
        }
        child.WaitForExit();
        return (child.ExitCode, peak, err.Result + outText.Result);
    }

    private static long HighWaterMark(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    [Fact]
    public void ScoringALargeFileStaysWithinABoundedMemory()
    {
        if (!OperatingSystem.IsLinux()) return; // VmHWM is read from /proc
        using var files = new ReliabilityFiles();
        var model = files.Save("m.fem", ReliabilityFiles.SmallRbm(Columns, 10, 3));
        const int rows = 200_000;
        var big = WriteCsv(files.Path("big.csv"), rows);
        var small = WriteCsv(files.Path("small.csv"), 1000);

        var (code, baseline, err) = RunScore(model, small, files.Path("small-scores.csv"));
        Assert.True(code == 0, err);
        (code, long peak, err) = RunScore(model, big, files.Path("big-scores.csv"));
        Assert.True(code == 0, err); // a heap capped at 16 MB cannot hold the 16 MB of rows at once

        long loadAll = (long)rows * Columns * sizeof(float);
        Assert.True(peak - baseline < loadAll, $"peak {peak >> 20} MB vs {baseline >> 20} MB for 1,000 rows: grew by more than the {loadAll >> 20} MB a full load needs for the rows alone");

        int lines = 0;
        foreach (var _ in File.ReadLines(files.Path("big-scores.csv"))) lines++;
        Assert.Equal(rows + 1, lines);
        var rbm = ReliabilityFiles.SmallRbm(Columns, 10, 3);
        var first = FreeEnergy.Data.DataReader.Read(small).Features;
        var expected = new double[first.Rows];
        rbm.FreeEnergy(first.View, expected);
        var written = File.ReadLines(files.Path("small-scores.csv")).Skip(1).Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected.Select(x => x.ToString("G9", System.Globalization.CultureInfo.InvariantCulture)), written.Select(x => x.ToString("G9", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>The streamed score (two batches here) applies the model's recorded <c>--binarize</c> rule and equals in-process scoring of the thresholded rows.</summary>
    [Fact]
    public void StreamedScoreAppliesTheRecordedBinarization()
    {
        using var files = new ReliabilityFiles();
        var rng = new Random(3);
        var grey = new global::FreeEnergy.Tensors.Matrix(5000, 8);
        for (int k = 0; k < grey.Data.Length; k++) grey.Data[k] = (float)rng.NextDouble();
        var data = files.Csv("grey.csv", grey);
        var model = files.Path("m.fem");
        Assert.Equal(0, CommandLineApp.Run(["train", "--model", "rbm", "--data", data, "--binarize", "--hidden", "4", "--epochs", "1", "--out", model], new StringWriter(), new StringWriter()));
        var scores = files.Path("s.csv");
        var stderr = new StringWriter();
        Assert.True(CommandLineApp.Run(["score", "--model", model, "--data", data, "--out", scores], new StringWriter(), stderr) == 0, stderr.ToString());
        var rbm = global::FreeEnergy.Models.RbmBase.FromDocument(global::FreeEnergy.Persistence.ModelFile.Load(model));
        for (int k = 0; k < grey.Data.Length; k++) grey.Data[k] = grey.Data[k] > 0.5f ? 1f : 0f;
        var expected = new double[grey.Rows];
        rbm.FreeEnergy(grey.View, expected);
        var written = File.ReadLines(scores).Skip(1).ToArray();
        Assert.Equal(expected.Length, written.Length);
        for (int r = 0; r < expected.Length; r++)
            Assert.Equal(expected[r].ToString("G9", System.Globalization.CultureInfo.InvariantCulture), written[r]);
    }
}

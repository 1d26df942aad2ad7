using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Plots;

public class TrainingProgressDisplayTests
{
    private static TrainingProgress At(int epoch, int epochs, double seconds, double validation = double.NaN) =>
        new(epoch, epochs, 10.0 / epoch, validation, double.NaN, seconds);

    [Fact]
    public void JsonModeWritesNothing()
    {
        var stderr = new StringWriter();
        using (var progress = TrainingProgressDisplay.Create(json: true, stderr, interactive: true))
        {
            for (int e = 1; e <= 5; e++) progress.Report(At(e, 5, e));
        }
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public void RedirectedOutputGetsThinnedPlainLines()
    {
        var stderr = new StringWriter();
        using (var progress = TrainingProgressDisplay.Create(json: false, stderr, interactive: false, plainInterval: 5))
        {
            // One epoch per 2 seconds: lines at t = 2 (first), 8, 14, 20 (last epoch).
            for (int e = 1; e <= 10; e++) progress.Report(At(e, 10, 2.0 * e, validation: 11.0 / e));
        }
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("epoch 1/10  loss 10.0000  validation 11.0000", lines[0]);
        Assert.StartsWith("epoch 4/10  loss 2.5000", lines[1]);
        Assert.Contains("eta 12.0 s", lines[1]);
        Assert.StartsWith("epoch 7/10", lines[2]);
        Assert.StartsWith("epoch 10/10  loss 1.0000", lines[3]);
        Assert.DoesNotContain("eta", lines[3]);
        Assert.All(lines, l => Assert.DoesNotContain("\u001b", l, StringComparison.Ordinal));
    }

    [Fact]
    public void EarlyStopShowsTheLastHeldBackReportOnDispose()
    {
        var stderr = new StringWriter();
        using (var progress = TrainingProgressDisplay.Create(json: false, stderr, interactive: false, plainInterval: 100))
        {
            for (int e = 1; e <= 6; e++) progress.Report(At(e, 50, e));
        }
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("epoch 1/50", lines[0]);
        Assert.StartsWith("epoch 6/50", lines[1]);
    }

    [Fact]
    public void NonTerminalWritersAreDetectedAsPlain()
    {
        Assert.False(TrainingProgressDisplay.IsTerminal(new StringWriter()));
        var stderr = new StringWriter();
        using (var progress = TrainingProgressDisplay.Create(json: false, stderr))
            progress.Report(At(1, 2, 0.5, validation: double.PositiveInfinity));
        Assert.StartsWith("epoch 1/2  loss 10.0000  0.5 s  eta 0.5 s", stderr.ToString());
    }

    [Fact]
    public void LiveBarRendersAndStops()
    {
        var stderr = new StringWriter();
        using (var progress = TrainingProgressDisplay.Create(json: false, stderr, interactive: true))
        {
            for (int e = 1; e <= 3; e++) progress.Report(At(e, 3, e));
        }
        Assert.Contains("epoch 3/3", stderr.ToString());
    }

    [Fact]
    public void LiveBarOnAnAnsiTerminalRedrawsInPlace()
    {
        var stderr = new StringWriter();
        using (var progress = new LiveProgressBar(stderr, ansi: true))
        {
            for (int e = 1; e <= 4; e++) progress.Report(At(e, 4, e, validation: 1.5));
        }
        string text = stderr.ToString();
        if (Environment.GetEnvironmentVariable("FREEENERGY_SHOW_PROGRESS") == "1") Console.Error.WriteLine(text);
        Assert.Contains("\u001b[", text, StringComparison.Ordinal);
        Assert.Contains("epoch 4/4  loss 2.5000  validation 1.5000", text, StringComparison.Ordinal);
        Assert.Contains("100%", text, StringComparison.Ordinal);
    }
}

using System.Diagnostics;
using FreeEnergy.Models;
using FreeEnergy.Persistence;

namespace FreeEnergy.Tests.Reliability;

/// <summary>
/// A process killed (SIGKILL) at random moments while it saves a model over and over never leaves a broken file:
/// the path always loads and holds one of the two complete models.
/// </summary>
public sealed class InterruptedSaveTests
{
    internal static (BernoulliRbm A, BernoulliRbm B) Models()
        => (ReliabilityFiles.SmallRbm(300, 200, 1), ReliabilityFiles.SmallRbm(300, 200, 2));

    [Fact]
    public void KillDuringSaveLeavesTheOldOrTheNewCompleteModel()
    {
        using var files = new ReliabilityFiles();
        var path = files.Path("m.fem");
        var (a, b) = Models();
        var assembly = typeof(TestProgram).Assembly.Location;
        var rng = new Random(5);
        int sawA = 0, sawB = 0;
        for (int run = 0; run < 4; run++)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[] { "exec", assembly, "save-loop", path }) start.ArgumentList.Add(arg);
            using var child = Process.Start(start)!;
            try
            {
                var line = child.StandardOutput.ReadLine();
                Assert.Equal("ready", line);
                Thread.Sleep(rng.Next(5, 120));
            }
            finally
            {
                child.Kill(entireProcessTree: true);
                child.WaitForExit();
            }
            var loaded = (BernoulliRbm)RbmBase.FromDocument(ModelFile.Load(path));
            if (loaded.Weights.AsSpan().SequenceEqual(a.Weights)) sawA++;
            else if (loaded.Weights.AsSpan().SequenceEqual(b.Weights)) sawB++;
            else Assert.Fail($"run {run}: the file holds neither model");
        }
        Assert.Equal(4, sawA + sawB);
    }
}

using FreeEnergy.Models;
using FreeEnergy.Persistence;

namespace FreeEnergy.Tests.Reliability;

/// <summary>
/// The test assembly's entry point (the test runner does not use it): <c>dotnet FreeEnergy.Tests.dll save-loop PATH</c>
/// saves two alternating models to PATH forever, printing "ready" after the first save, so that a test can kill it
/// at random moments.
/// </summary>
public static class TestProgram
{
    public static int Main(string[] args)
    {
        if (args.Length != 2 || args[0] != "save-loop") return 1;
        var (a, b) = InterruptedSaveTests.Models();
        ModelFile.Save(args[1], a.ToDocument());
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        for (long i = 0; ; i++) ModelFile.Save(args[1], (i % 2 == 0 ? b : a).ToDocument());
    }
}

using System.Runtime.InteropServices;
using FreeEnergy.Data;

namespace FreeEnergy.Tests.Data;

/// <summary>A named pipe given as data: a one-line error naming it, not an internal failure or a hang.</summary>
public class PipeInputTests
{
    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, uint mode);

    [Fact]
    public async Task NamedPipeIsRefusedWithAClearError()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDirectory();
        var path = dir.File("rows.csv");
        Assert.Equal(0, mkfifo(path, Convert.ToUInt32("600", 8)));
        var writer = Task.Run(() =>
        {
            try { File.WriteAllText(path, "0,1\n1,0\n"); } catch (IOException) { } // the reader closes its end early
        });
        var ex = Assert.Throws<DataFormatException>(() => DataReader.Read(path));
        Assert.Contains("pipe", ex.Message);
        Assert.Contains(path, ex.Message);
        await writer.WaitAsync(TimeSpan.FromSeconds(30));
    }
}

using FreeEnergy.Training;

namespace FreeEnergy.Tests.Device;

/// <summary>The comparison of a device-resident VAE run on the host seam with the CPU trainer's run.</summary>
internal static class DeviceVaeAssert
{
    /// <summary>
    /// Same epochs, training and validation losses to 1e-3, every parameter to 1e-4, and the parameters moved from
    /// <paramref name="start"/>.
    /// </summary>
    public static void TracksTheCpu(IReadOnlyList<TrainingProgress> cpu, IReadOnlyList<TrainingProgress> device, float[] start, float[] cpuParameters, float[] deviceParameters)
    {
        Assert.Equal(cpu.Count, device.Count);
        for (int i = 0; i < cpu.Count; i++)
        {
            Assert.Equal(cpu[i].TrainingLoss, device[i].TrainingLoss, 1e-3);
            Assert.Equal(cpu[i].ValidationLoss, device[i].ValidationLoss, 1e-3);
        }
        double moved = 0;
        for (int i = 0; i < start.Length; i++)
        {
            moved = Math.Max(moved, Math.Abs(cpuParameters[i] - start[i]));
            Assert.True(Math.Abs(cpuParameters[i] - deviceParameters[i]) <= 1e-4f, $"theta[{i}]: device loop {deviceParameters[i]} vs CPU {cpuParameters[i]}");
        }
        Assert.True(moved > 1e-3, "the parameters should have moved");
    }
}

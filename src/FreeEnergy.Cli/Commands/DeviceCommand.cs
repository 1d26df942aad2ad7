using System.CommandLine;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cuda;

namespace FreeEnergy.Cli.Commands;

/// <summary>
/// <c>freeenergy device [--device auto|cpu|cuda] [--json]</c>: which backend the choice resolves to and why,
/// the CUDA libraries found (NVRTC version, cuBLAS) and the GPU name when there is one. Probing never fails;
/// <c>--device cuda</c> without a usable GPU exits 2 with the reason.
/// </summary>
internal static class DeviceCommand
{
    public static Command Create()
    {
        var json = CommonOptions.Json();
        var device = Rbm.RbmCli.Device();
        var command = new Command("device", "Report the compute backend --device would use (auto picks CUDA when a GPU and the CUDA libraries load), and why.");
        command.Options.Add(device);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            ComputeBackends.TryParse(parse.GetValue(device), out var choice);
            var status = CudaProbe.Probe();
            string backend, reason;
            switch (choice)
            {
                case ComputeDevice.Cpu:
                    backend = "cpu"; reason = "requested with --device cpu"; break;
                case ComputeDevice.Cuda when !status.Available:
                    throw new CliException($"--device cuda: CUDA is unavailable: {status.Reason}.");
                default:
                    backend = status.Available ? "cuda" : "cpu";
                    reason = status.Available ? $"{status.DeviceName} with NVRTC {status.NvrtcVersion} and {status.CublasLibrary}" : $"CUDA unavailable: {status.Reason}";
                    break;
            }
            var result = new JsonObject
            {
                ["requested"] = choice.ToString().ToLowerInvariant(),
                ["backend"] = backend,
                ["reason"] = reason,
                ["cudaAvailable"] = status.Available,
                ["deviceCount"] = status.DeviceCount,
                ["deviceName"] = status.DeviceName,
                ["computeCapability"] = status.ComputeCapability is int cc ? $"{cc / 10}.{cc % 10}" : null,
                ["totalMemoryBytes"] = status.TotalMemoryBytes,
                ["driverVersion"] = status.DriverVersion,
                ["driver"] = status.DriverReason.Length == 0 ? "ok" : status.DriverReason,
                ["nvrtcLibrary"] = status.NvrtcLibrary,
                ["nvrtcVersion"] = status.NvrtcVersion,
                ["nvrtc"] = status.NvrtcReason.Length == 0 ? "ok" : status.NvrtcReason,
                ["cublasLibrary"] = status.CublasLibrary,
                ["cublas"] = status.CublasReason.Length == 0 ? "ok" : status.CublasReason,
                ["cpuThreads"] = Environment.ProcessorCount,
            };
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) JsonOutput.Write(parse, result);
            else foreach (var (key, value) in result) stdout.WriteLine($"{key,-18} {InfoCommand.Text(value)}");
            return ExitCodes.Success;
        });
        return command;
    }
}

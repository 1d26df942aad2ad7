using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Cuda;
using FreeEnergy.GpuCheck;

// freeenergy GPU check: CPU vs GPU parity for every kernel and GEMM, then timings, as one JSON object.
// Exit codes: 0 = every check passed; 1 = a parity check failed; 2 = an error (CUDA call, bad argument);
// 3 = no usable CUDA device or library (nothing checked; the JSON says why).
int size = 4096, repeats = 10, trainingRows = 60000, epochs = 3;
bool tf32 = false, compileOnly = false, training = true;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--size" when i + 1 < args.Length: size = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--repeats" when i + 1 < args.Length: repeats = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--tf32": tf32 = true; break;
        case "--rows" when i + 1 < args.Length: trainingRows = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--epochs" when i + 1 < args.Length: epochs = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--no-training": training = false; break;
        case "--compile-only": compileOnly = true; break;
        case "--seam-self-test":
            {
                // No device needed: the seam checks with the host implementation on both sides (checks the checks).
                var self = new SeamChecks(() => new FreeEnergy.Compute.Device.HostDeviceArrays(CpuBackend.Default));
                var results = self.RunAll();
                Print(new JsonObject { ["tool"] = "FreeEnergy.GpuCheck", ["status"] = self.AllPassed ? "passed" : "failed", ["checks"] = results });
                return self.AllPassed ? 0 : 1;
            }
        default:
            Console.Error.WriteLine("usage: FreeEnergy.GpuCheck [--size N (4096)] [--repeats R (10)] [--tf32] [--rows N (60000)] [--epochs E (3)] [--no-training] [--compile-only] [--seam-self-test]");
            return 2;
    }
}

var report = new JsonObject { ["tool"] = "FreeEnergy.GpuCheck" };
var status = CudaProbe.Probe();
report["probe"] = new JsonObject
{
    ["available"] = status.Available,
    ["reason"] = status.Reason,
    ["deviceName"] = status.DeviceName,
    ["computeCapability"] = status.ComputeCapability,
    ["driverVersion"] = status.DriverVersion,
    ["nvrtcLibrary"] = status.NvrtcLibrary,
    ["nvrtcVersion"] = status.NvrtcVersion,
    ["cublasLibrary"] = status.CublasLibrary,
};
if (compileOnly)
{
    // No device needed: compile every embedded kernel module with NVRTC for compute_80 and compute_90.
    var nvrtc = Nvrtc.TryGet(out var nvrtcReason);
    if (nvrtc is null)
    {
        report["status"] = "no-nvrtc";
        report["reason"] = nvrtcReason;
        Print(report);
        return 3;
    }
    var compiled = new JsonArray();
    try
    {
        foreach (var module in CudaKernelSources.Modules)
            foreach (var arch in new[] { 80, 90 })
            {
                var ptx = nvrtc.CompileToPtx(CudaKernelSources.Read(module), module, CudaKernelSources.ReadHeaders(), arch);
                compiled.Add((JsonNode)new JsonObject { ["module"] = module, ["architecture"] = $"compute_{arch}", ["ptxBytes"] = ptx.Length });
            }
    }
    catch (CudaException e)
    {
        report["status"] = "error";
        report["error"] = e.Message;
        Print(report);
        return 2;
    }
    report["compiled"] = compiled;
    report["status"] = "compiled";
    Print(report);
    return 0;
}

if (!status.Available)
{
    report["status"] = "no-device";
    Print(report);
    return 3;
}

try
{
    using var backend = CudaBackend.Create(new CudaOptions { AllowTf32 = false, UseDiskCache = false });
    report["backend"] = backend.Name;
    report["cublasVersion"] = backend.CublasVersion;
    report["targetArchitecture"] = backend.Kernels.UsesCubin ? $"sm_{backend.ComputeCapability} (cubin)" : $"compute_{backend.Kernels.TargetArchitecture} (ptx, driver JIT)";
    var compile = Stopwatch.StartNew();
    backend.Kernels.LoadAll();
    report["kernelCompileSeconds"] = compile.Elapsed.TotalSeconds;

    var parity = new ParityChecks(backend);
    var checks = parity.RunAll();
    var seam = new SeamChecks(backend);
    foreach (var check in seam.RunAll()) checks.Add(check!.DeepClone());
    bool allPassed = parity.AllPassed && seam.AllPassed;
    if (training)
    {
        // Device-resident training vs the CPU trainer (same seed and draws).
        foreach (var phase in new[] { "cd1", "pcd1", "tap2", "tap3" })
        {
            var check = DeviceTraining.RbmParity(backend, phase);
            allPassed &= check["passed"]!.GetValue<bool>();
            checks.Add((JsonNode)check);
        }
        foreach (var (twoLevel, samples) in new[] { (false, 1), (false, 5), (true, 1), (true, 5) })
        {
            var vae = DeviceTraining.VaeParity(backend, twoLevel, samples);
            allPassed &= vae["passed"]!.GetValue<bool>();
            checks.Add((JsonNode)vae);
        }
    }
    report["checks"] = checks;

    var sgemm = Timings.Sgemm(backend, size, repeats);
    sgemm["peakGflops"] = backend.PeakFp32Gflops;
    sgemm["fractionOfPeak"] = sgemm["gflops"]!.GetValue<double>() / backend.PeakFp32Gflops;
    sgemm["clockMHz"] = backend.ClockRateKilohertz / 1000.0;
    sgemm["multiprocessors"] = backend.MultiprocessorCount;
    var timings = new JsonObject
    {
        ["sgemmFp32"] = sgemm,
        ["sigmoid16M"] = Timings.Elementwise(backend, 1 << 24, repeats),
    };
    if (training)
    {
        timings["rbmEpoch"] = DeviceTraining.RbmEpochs(backend, trainingRows, 500, epochs);
        timings["vaeEpoch"] = DeviceTraining.VaeEpochs(backend, trainingRows, epochs);
    }
    if (tf32)
    {
        using var fast = CudaBackend.Create(new CudaOptions { AllowTf32 = true, UseDiskCache = false });
        timings["sgemmTf32"] = Timings.Sgemm(fast, size, repeats);
    }
    timings["cpuSgemm512"] = Timings.CpuSgemm(512);
    report["timings"] = timings;
    report["status"] = allPassed ? "passed" : "failed";
    Print(report);
    return allPassed ? 0 : 1;
}
catch (Exception e) when (e is CudaException or ArgumentException or InvalidOperationException)
{
    report["status"] = "error";
    report["error"] = e.Message;
    Print(report);
    return 2;
}

static void Print(JsonObject report) => Console.WriteLine(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

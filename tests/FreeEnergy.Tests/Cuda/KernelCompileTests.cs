using FreeEnergy.Compute.Cuda;

namespace FreeEnergy.Tests.Cuda;

/// <summary>Every embedded kernel module compiles to PTX with NVRTC (no GPU needed) for Ampere and Hopper.</summary>
public class KernelCompileTests
{
    public static TheoryData<string, int> ModulesAndArchitectures()
    {
        var data = new TheoryData<string, int>();
        foreach (var module in CudaKernelSources.Modules)
            foreach (var arch in new[] { 80, 90 })
                data.Add(module, arch);
        return data;
    }

    [NvrtcTheory]
    [MemberData(nameof(ModulesAndArchitectures))]
    public void ModuleCompilesToPtxWithEveryKernelEntry(string module, int architecture)
    {
        var nvrtc = Nvrtc.Get();
        var ptx = nvrtc.CompileToPtx(CudaKernelSources.Read(module), module, CudaKernelSources.ReadHeaders(), architecture);
        Assert.Contains($".target sm_{architecture}", ptx);
        int expected = 0;
        foreach (var (kernel, owner) in CudaKernels.Catalog)
        {
            if (owner != module) continue;
            expected++;
            Assert.Contains($".entry {kernel}(", ptx);
        }
        Assert.True(expected > 0, $"no kernel of the catalog lives in {module}");
    }

    [NvrtcTheory]
    [InlineData("sampling.cu", 80)]
    [InlineData("reductions.cu", 90)]
    public void ModuleCompilesToCubinForRealArchitectures(string module, int architecture)
    {
        var nvrtc = Nvrtc.Get();
        Assert.True(nvrtc.CanEmitCubin, $"NVRTC {nvrtc.Version} cannot emit CUBIN");
        var image = nvrtc.Compile(CudaKernelSources.Read(module), module, CudaKernelSources.ReadHeaders(), architecture, cubin: true);
        Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, image[..4]);
    }

    [NvrtcTheory]
    [InlineData(80)]
    public void CompileErrorNamesTheCallAndShowsTheLog(int architecture)
    {
        var e = Assert.Throws<CudaException>(() => Nvrtc.Get().CompileToPtx("extern \"C\" __global__ void broken() { undefined_thing(); }",
            "broken.cu", new Dictionary<string, string>(), architecture));
        Assert.Contains("nvrtcCompileProgram", e.Message);
        Assert.Contains("undefined_thing", e.Message);
    }

    [NvrtcTheory]
    [InlineData(80)]
    public void PtxCacheReusesDiskEntriesAndKeysByArchitecture(int architecture)
    {
        var nvrtc = Nvrtc.Get();
        var directory = Path.Combine(Path.GetTempPath(), "fe-ptx-" + Guid.NewGuid().ToString("N"));
        try
        {
            var ptx = PtxCache.Get(nvrtc, "gather.cu", architecture, directory);
            var files = Directory.GetFiles(directory, "*.ptx");
            Assert.Single(files);
            Assert.Contains($"compute{architecture}", Path.GetFileName(files[0]));
            Assert.Equal(ptx, File.ReadAllText(files[0]));
            var cubin = PtxCache.GetImage(nvrtc, "gather.cu", architecture, cubin: true, directory);
            var cubinFile = Assert.Single(Directory.GetFiles(directory, "*.cubin"));
            Assert.Contains($"-sm{architecture}-", Path.GetFileName(cubinFile));
            Assert.Equal(cubin, File.ReadAllBytes(cubinFile));
            Assert.Same(cubin, PtxCache.GetImage(nvrtc, "gather.cu", architecture, cubin: true, directory));
            var headers = CudaKernelSources.ReadHeaders();
            Assert.NotEqual(PtxCache.Key("gather.cu", "a", headers, 80, nvrtc.Version), PtxCache.Key("gather.cu", "a", headers, 90, nvrtc.Version));
            Assert.NotEqual(PtxCache.Key("gather.cu", "a", headers, 80, nvrtc.Version), PtxCache.Key("gather.cu", "b", headers, 80, nvrtc.Version));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void EveryModuleAndHeaderIsEmbedded()
    {
        var embedded = CudaKernelSources.EmbeddedNames().ToHashSet();
        foreach (var m in CudaKernelSources.Modules) Assert.Contains(m, embedded);
        foreach (var h in CudaKernelSources.Headers) Assert.Contains(h, embedded);
        foreach (var (kernel, module) in CudaKernels.Catalog)
            Assert.Contains($"extern \"C\" __global__ void {kernel}(", CudaKernelSources.Read(module));
    }

    [Theory]
    [InlineData(90, new[] { 50, 60, 70, 75, 80, 86, 87, 89, 90 }, 90)]
    [InlineData(100, new[] { 50, 80, 90 }, 90)]
    [InlineData(86, new int[0], 86)]
    public void ArchitectureFallsBackToTheNewestSupportedBelowTheDevice(int capability, int[] supported, int expected)
        => Assert.Equal(expected, CudaKernels.ChooseArchitecture(capability, supported));

    [Fact]
    public void ArchitectureOlderThanAnySupportedIsAClearError()
        => Assert.Contains("older than every architecture", Assert.Throws<CudaException>(() => CudaKernels.ChooseArchitecture(35, [50, 60])).Message);
}

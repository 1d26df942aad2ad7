using System.Globalization;
using FreeEnergy.Compute.Cuda;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.Tests.Cuda;

/// <summary>
/// The kernels' Philox (Kernels/philox.cuh, also valid C) is built with gcc on the host and must give the
/// same words, uniforms and Gaussians as the engine's C# <see cref="Philox"/>, element by element, at
/// arbitrary (seed, stream, index) including 64-bit carries: GPU sampling then reproduces CPU sampling.
/// Skipped with the reason when no C compiler is installed.
/// </summary>
public class KernelPhiloxTests
{
    private const string Driver = """
        #include <stdio.h>
        #include <string.h>
        #include "philox.cuh"
        int main(void)
        {
            unsigned long long seed, stream, index;
            while (scanf("%llu %llu %llu", &seed, &stream, &index) == 3)
            {
                fe_philox_words w = fe_philox_block(seed, stream, index);
                float u = fe_uniform_at(seed, stream, index), g = fe_gaussian_at(seed, stream, index);
                unsigned int ub, gb;
                memcpy(&ub, &u, 4); memcpy(&gb, &g, 4);
                printf("%u %u %u %u %u %u\n", w.x, w.y, w.z, w.w, ub, gb);
            }
            return 0;
        }
        """;

    internal static string? FindCompiler()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            foreach (var name in new[] { "gcc", "cc", "clang" })
                if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }

    [CCompilerFact]
    public void HostBuildOfKernelPhiloxMatchesCSharpPhilox()
    {
        var compiler = FindCompiler()!;
        var directory = Path.Combine(Path.GetTempPath(), "fe-philox-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllText(Path.Combine(directory, "philox.cuh"), CudaKernelSources.Read("philox.cuh"));
            File.WriteAllText(Path.Combine(directory, "driver.c"), Driver);
            var exe = Path.Combine(directory, "driver");
            var (buildCode, _, buildErr) = Run(compiler, $"-std=c99 -O2 -o {exe} {Path.Combine(directory, "driver.c")} -lm", "");
            Assert.True(buildCode == 0, $"{compiler} failed on philox.cuh: {buildErr}");

            var cases = new List<(ulong Seed, ulong Stream, ulong Index)>
            {
                (0, 0, 0), (1, 0, 1), (42, 7, 2), (42, 7, 3), (ulong.MaxValue, ulong.MaxValue, 5),
                (0x123456789ABCDEFUL, Philox.Stream(3, 4, 5), 0xFFFFFFFFUL), (0x123456789ABCDEFUL, Philox.Stream(3, 4, 5), 0x100000000UL),
            };
            var random = new System.Random(12345);
            for (int i = 0; i < 200; i++)
                cases.Add(((ulong)random.NextInt64() ^ ((ulong)random.Next() << 40), (ulong)random.NextInt64(), (ulong)random.NextInt64(0, long.MaxValue)));
            var input = string.Join('\n', cases.Select(c => $"{c.Seed} {c.Stream} {c.Index}")) + "\n";
            var (code, output, err) = Run(exe, "", input);
            Assert.True(code == 0, err);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(cases.Count, lines.Length);

            Span<float> one = stackalloc float[1];
            for (int i = 0; i < cases.Count; i++)
            {
                var (seed, stream, index) = cases[i];
                var f = lines[i].Split(' ').Select(s => uint.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                var (a, b, c, d) = Philox.Block(seed, stream, index);
                Assert.Equal((a, b, c, d), (f[0], f[1], f[2], f[3]));
                Philox.FillUniform(seed, stream, index, one);
                Assert.Equal(BitConverter.SingleToUInt32Bits(one[0]), f[4]);
                Philox.FillGaussian(seed, stream, index, one);
                float host = BitConverter.UInt32BitsToSingle(f[5]);
                // Same formula in double; libm sin/cos/log may differ by an ulp in double, which can move the float by one ulp.
                Assert.True(Math.Abs(host - one[0]) <= 2e-7f * Math.Max(1f, Math.Abs(one[0])), $"Gaussian at ({seed}, {stream}, {index}): C {host} vs C# {one[0]}");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static (int Code, string Out, string Err) Run(string file, string arguments, string input) => KernelHostTests.Execute(file, arguments, input);
}

/// <summary>A fact skipped, with the reason, where no C compiler is on PATH.</summary>
public sealed class CCompilerFactAttribute : FactAttribute
{
    public CCompilerFactAttribute()
    {
        if (KernelPhiloxTests.FindCompiler() is null) Skip = "no C compiler (gcc, cc or clang) on PATH to build Kernels/philox.cuh on the host.";
    }
}

using BenchmarkDotNet.Attributes;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;

namespace FreeEnergy.Benchmarks;

/// <summary>SGEMM at the training shapes of DESIGN §5, plus a thin (one sample) and a narrow product and the fused epilogue.</summary>
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [], _bias = [];
    private CpuBackend _backend = CpuBackend.Default;

    [Params(1, 2)] public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _backend = new CpuBackend(Threads);
        _a = new float[1024 * 1024];
        _b = new float[1024 * 1024];
        _c = new float[1024 * 1024];
        _bias = new float[1024];
        for (int i = 0; i < _a.Length; i++) { _a[i] = (i % 17) * 0.01f; _b[i] = (i % 13) * 0.01f; }
        for (int i = 0; i < _bias.Length; i++) _bias[i] = (i % 5) * 0.1f - 0.2f;
    }

    [Benchmark] public void Square1024() => _backend.Gemm(Transpose.None, Transpose.None, 1024, 1024, 1024, 1f, _a, 1024, _b, 1024, 0f, _c, 1024);
    [Benchmark] public void Rbm100x500x784() => _backend.Gemm(Transpose.None, Transpose.None, 100, 500, 784, 1f, _a, 784, _b, 500, 0f, _c, 500);
    [Benchmark] public void Rbm784x500x100AtB() => _backend.Gemm(Transpose.Transposed, Transpose.None, 784, 500, 100, 1f, _a, 784, _b, 500, 0f, _c, 500);
    [Benchmark] public void Vae128x784x400ABt() => _backend.Gemm(Transpose.None, Transpose.Transposed, 128, 784, 400, 1f, _a, 400, _b, 400, 0f, _c, 784);
    [Benchmark] public void OneSample1x500x784() => _backend.Gemm(Transpose.None, Transpose.None, 1, 500, 784, 1f, _a, 784, _b, 500, 0f, _c, 500);
    [Benchmark] public void Latent128x8x400() => _backend.Gemm(Transpose.None, Transpose.None, 128, 8, 400, 1f, _a, 400, _b, 8, 0f, _c, 8);
    [Benchmark] public void FusedSigmoid100x500x784() => _backend.GemmBias(Transpose.None, Transpose.None, 100, 500, 784, _a, 784, _b, 500, _bias.AsSpan(0, 500), Activation.Sigmoid, _c, 500);
}

using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(FreeEnergy.Benchmarks.GemmBenchmarks).Assembly).Run(args);

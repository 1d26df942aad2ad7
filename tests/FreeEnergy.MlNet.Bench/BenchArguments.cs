using System.Globalization;

namespace FreeEnergy.MlNet.Bench;

/// <summary>The benchmark's command line: a verb and --name value pairs.</summary>
internal sealed record BenchArguments(string Verb, IReadOnlyDictionary<string, string> Values)
{
    public static BenchArguments Parse(string[] args)
    {
        if (args.Length == 0) throw new ArgumentException("usage: FreeEnergy.MlNet.Bench auc|throughput [--name value ...]");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 1; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length) throw new ArgumentException($"expected --name value at '{args[i]}'");
            values[args[i][2..]] = args[i + 1];
        }
        return new BenchArguments(args[0], values);
    }

    public int Int(string name, int fallback) => Values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public int[] Digits => Values.TryGetValue("digits", out var v) ? v.Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray() : Enumerable.Range(0, 10).ToArray();

    /// <summary>--data, $FREEENERGY_MNIST, data/mnist or ../shared/data/mnist (from the current folder up).</summary>
    public string MnistFolder()
    {
        if (Values.TryGetValue("data", out var given)) return given;
        if (Environment.GetEnvironmentVariable("FREEENERGY_MNIST") is { Length: > 0 } env) return env;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "data", "mnist"), Path.Combine(dir.FullName, "..", "shared", "data", "mnist") })
                if (File.Exists(Path.Combine(candidate, "train-images-idx3-ubyte.gz"))) return Path.GetFullPath(candidate);
        throw new DirectoryNotFoundException("MNIST not found: run build/fetch-mnist.sh or pass --data DIR.");
    }
}

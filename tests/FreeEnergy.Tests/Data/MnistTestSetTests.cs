using FreeEnergy.Data;

namespace FreeEnergy.Tests.Data;

/// <summary>Where the real MNIST files are: $FREEENERGY_MNIST, the repo's data/mnist (build/fetch-mnist.sh), or ../shared/data/mnist.</summary>
internal static class MnistFiles
{
    public static string? Directory { get; } = Locate();

    private static string? Locate()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("FREEENERGY_MNIST") is { Length: > 0 } env) candidates.Add(env);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "FreeEnergyML.sln"))) continue;
            candidates.Add(Path.Combine(dir.FullName, "data", "mnist"));
            candidates.Add(Path.Combine(dir.FullName, "..", "shared", "data", "mnist"));
            break;
        }
        foreach (var c in candidates)
            if (File.Exists(Path.Combine(c, "t10k-images-idx3-ubyte.gz")) || File.Exists(Path.Combine(c, "t10k-images-idx3-ubyte")))
                return c;
        return null;
    }
}

/// <summary>A fact that is reported as skipped, with the reason, when the MNIST files are not on this machine.</summary>
public sealed class MnistFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when MNIST is missing.</summary>
    public MnistFactAttribute()
    {
        if (MnistFiles.Directory is null)
            Skip = "MNIST not found (set FREEENERGY_MNIST, or run build/fetch-mnist.sh to fill data/mnist)";
    }
}

public class MnistTestSetTests
{
    [MnistFact]
    public void ReadsTheTestSetWithItsLabels()
    {
        var dir = MnistFiles.Directory!;
        var images = Path.Combine(dir, "t10k-images-idx3-ubyte.gz");
        if (!File.Exists(images)) images = Path.Combine(dir, "t10k-images-idx3-ubyte");

        var set = DataReader.Read(images);

        Assert.Equal(10000, set.Features.Rows);
        Assert.Equal(784, set.Features.Columns);
        Assert.NotNull(set.Labels);
        var histogram = new int[10];
        foreach (int label in set.Labels!)
        {
            Assert.InRange(label, 0, 9);
            histogram[label]++;
        }
        // The published class counts of the MNIST test set.
        Assert.Equal(new[] { 980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009 }, histogram);
        double sum = 0;
        float min = float.MaxValue, max = float.MinValue;
        foreach (float v in set.Features.Data)
        {
            sum += v;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        Assert.Equal(0f, min);
        Assert.Equal(1f, max);
        Assert.InRange(sum / set.Features.Data.Length, 0.12, 0.14); // mean pixel intensity of MNIST is about 0.13
    }
}

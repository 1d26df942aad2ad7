namespace FreeEnergy.Data;

/// <summary>
/// Finds the label file that pairs with an MNIST-style image file: <c>train-images-idx3-ubyte[.gz]</c> ->
/// <c>train-labels-idx1-ubyte[.gz]</c>, <c>t10k-images-idx3-ubyte</c> likewise (also the
/// <c>train-images.idx3-ubyte</c> spelling), with or without <c>.gz</c>.
/// </summary>
public static class MnistLabelFile
{
    /// <summary>The matching label file next to <paramref name="imagesPath"/>, or null when the name is not an image file's or no such file exists.</summary>
    public static string? Find(string imagesPath)
    {
        ArgumentNullException.ThrowIfNull(imagesPath);
        string directory = System.IO.Path.GetDirectoryName(imagesPath) ?? "";
        string name = System.IO.Path.GetFileName(imagesPath);
        bool gz = name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        string stem = gz ? name[..^3] : name;
        int images = stem.IndexOf("images", StringComparison.Ordinal);
        int idx3 = stem.IndexOf("idx3", StringComparison.Ordinal);
        if (images < 0 || idx3 < 0) return null;
        string labels = stem.Replace("images", "labels", StringComparison.Ordinal).Replace("idx3", "idx1", StringComparison.Ordinal);
        foreach (var candidate in gz ? new[] { labels + ".gz", labels } : new[] { labels, labels + ".gz" })
        {
            string path = System.IO.Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}

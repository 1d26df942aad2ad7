using System.Globalization;
using System.Text;
using FreeEnergy.Models;
using FreeEnergy.Persistence;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

namespace FreeEnergy.Tests.Reliability;

using Vae = global::FreeEnergy.Models.Vae;

/// <summary>Small models and data files for the reliability tests, in a temporary folder deleted on dispose.</summary>
internal sealed class ReliabilityFiles : IDisposable
{
    public const int Width = 16;

    public ReliabilityFiles()
    {
        Folder = Directory.CreateTempSubdirectory("fe-reliab-").FullName;
    }

    public string Folder { get; }

    public string Path(string name) => System.IO.Path.Combine(Folder, name);

    public static Matrix Binary(int rows, int columns, ulong seed) => Rbm.RbmTestData.RandomBinary(rows, columns, seed);

    public string Csv(string name, Matrix m)
    {
        var sb = new StringBuilder();
        for (int r = 0; r < m.Rows; r++)
        {
            var row = m.Row(r);
            for (int c = 0; c < row.Length; c++)
            {
                if (c > 0) sb.Append(',');
                sb.Append(row[c].ToString(CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
        }
        return Text(name, sb.ToString());
    }

    public string Text(string name, string text)
    {
        var path = Path(name);
        File.WriteAllText(path, text);
        return path;
    }

    public string Bytes(string name, byte[] content)
    {
        var path = Path(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public static BernoulliRbm SmallRbm(int visible = Width, int hidden = 6, ulong seed = 3) => Rbm.RbmTestData.RandomBernoulli(visible, hidden, 0.5f, seed);

    public static GaussianRbm SmallGaussianRbm(ulong seed = 4) => Rbm.RbmTestData.RandomGaussian(Width, 5, 0.3f, seed);

    public static Vae SmallVae(int input = Width, ulong seed = 5)
        => Vae.Create(input, new VaeTrainingOptions { LatentDimension = 3, EncoderLayers = [8], Seed = seed, ScoringSamples = 4 });

    public string Save(string name, IFreeEnergyModel model)
    {
        var path = Path(name);
        ModelFile.Save(path, model.ToDocument());
        return path;
    }

    /// <summary>Files in the folder other than <paramref name="expected"/> (temporary or partial files).</summary>
    public string[] Extra(params string[] expected)
    {
        var names = new HashSet<string>(expected.Select(System.IO.Path.GetFileName)!);
        return Directory.GetFiles(Folder).Select(System.IO.Path.GetFileName).Where(n => !names.Contains(n!)).ToArray()!;
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

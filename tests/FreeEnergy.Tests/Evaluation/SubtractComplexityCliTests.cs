using System.Globalization;
using FreeEnergy.Tests.Cli;
using FreeEnergy.Tests.Rbm;

namespace FreeEnergy.Tests.Evaluation;

/// <summary><c>score --subtract-complexity</c>: each score minus the row's code length as a binarised square image.</summary>
public sealed class SubtractComplexityCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fe-complexity-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteCsv(string name, float[][] rows)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, rows.Select(r => string.Join(",", r.Select(x => x.ToString(CultureInfo.InvariantCulture)))));
        return path;
    }

    private static double[] Column(string path, string header)
    {
        var lines = File.ReadAllLines(path);
        Assert.Equal(header, lines[0]);
        return lines.Skip(1).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
    }

    private void AssertCorrected(string model, string data, float[][] rows, string header, params string[] extra)
    {
        string plain = Path.Combine(_dir, "plain.csv"), corrected = Path.Combine(_dir, "corrected.csv");
        var (code, _, stderr) = CliSmokeTests.Run(["score", "--model", model, "--data", data, "--out", plain, .. extra]);
        Assert.True(code == 0, stderr);
        (code, _, stderr) = CliSmokeTests.Run(["score", "--model", model, "--data", data, "--out", corrected, "--subtract-complexity", .. extra]);
        Assert.True(code == 0, stderr);
        var f = Column(plain, header);
        var s = Column(corrected, header + "_corrected");
        Assert.Equal(rows.Length, s.Length);
        for (int r = 0; r < rows.Length; r++)
        {
            double l = InputComplexityTests.ClosedFormCodeLength(rows[r], 4, 4);
            Assert.Equal(f[r] - l, s[r], 1e-4 * Math.Max(1, Math.Abs(f[r])));
        }
    }

    [Fact]
    public void RbmAndVaeScoresLoseTheClosedFormCodeLength()
    {
        var m = RbmTestData.RandomBinary(60, 16, 8);
        var rows = Enumerable.Range(0, m.Rows).Select(r => m.Row(r).ToArray()).ToArray();
        var data = WriteCsv("x.csv", rows);
        var rbm = Path.Combine(_dir, "r.fem");
        var (code, _, stderr) = CliSmokeTests.Run("train", "--model", "rbm", "--data", data, "--hidden", "5", "--epochs", "2", "--batch", "20", "--out", rbm);
        Assert.True(code == 0, stderr);
        AssertCorrected(rbm, data, rows, "free_energy");                                          // streamed
        AssertCorrected(rbm, data, rows, "negative_log_likelihood", "--estimator", "tap");         // whole file
        var vae = Path.Combine(_dir, "v.fem");
        (code, _, stderr) = CliSmokeTests.Run("train", "--model", "vae", "--data", data, "--latent", "2", "--layers", "6", "--epochs", "2", "--batch", "20", "--out", vae);
        Assert.True(code == 0, stderr);
        AssertCorrected(vae, data, rows, "free_energy");                                          // streamed
        AssertCorrected(vae, data, rows, "iwae", "--estimator", "iwae", "--samples", "8");        // whole file
    }

    [Fact]
    public void RowsThatAreNotSquareImagesAreRefused()
    {
        var m = RbmTestData.RandomBinary(30, 15, 9);
        var data = WriteCsv("y.csv", Enumerable.Range(0, m.Rows).Select(r => m.Row(r).ToArray()).ToArray());
        var model = Path.Combine(_dir, "r15.fem");
        Assert.Equal(0, CliSmokeTests.Run("train", "--model", "rbm", "--data", data, "--hidden", "3", "--epochs", "1", "--out", model).Code);
        var (code, _, stderr) = CliSmokeTests.Run("score", "--model", model, "--data", data, "--out", Path.Combine(_dir, "s.csv"), "--subtract-complexity");
        Assert.Equal(2, code);
        Assert.Contains("square", stderr);
    }
}

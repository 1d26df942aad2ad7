using System.Text;
using FreeEnergy.Cli;
using FreeEnergy.Models;
using FreeEnergy.Persistence;

namespace FreeEnergy.Tests.Reliability;

using Vae = global::FreeEnergy.Models.Vae;

/// <summary>
/// Bad input through the CLI: every case exits with code 2 and one "error:" line on stderr naming the problem,
/// and leaves no output or temporary file behind (an existing --out file is left as it was).
/// </summary>
public sealed class BadInputCliTests
{
    private static (int Code, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CommandLineApp.Run(args, stdout, stderr);
        return (code, stderr.ToString());
    }

    private static string Row(params float[] values) => string.Join(",", values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static string BinaryRows(int rows, ulong seed, Func<int, string?>? replace = null)
    {
        var m = ReliabilityFiles.Binary(rows, ReliabilityFiles.Width, seed);
        var sb = new StringBuilder();
        for (int r = 0; r < rows; r++) sb.Append(replace?.Invoke(r) ?? Row(m.Row(r).ToArray())).Append('\n');
        return sb.ToString();
    }

    /// <summary>Case name -> (data file text, verb arguments given the data/model/out paths, text the error must contain).</summary>
    public static TheoryData<string> Cases => new()
    {
        "score-nan-cell", "score-inf-cell", "score-wrong-width", "score-ragged", "score-empty", "score-header-only",
        "score-non-binary", "score-negative", "score-bad-row-after-first-batch", "score-vae-wrong-width", "score-grbm-huge",
        "train-rbm-nan", "train-rbm-non-binary", "train-grbm-huge", "train-grbm-inf", "train-ragged", "train-empty",
        "train-labels-mismatch", "score-labels-mismatch", "encode-wrong-width", "reconstruct-nan", "score-corrupt-model",
        "score-unknown-class", "score-vae-nan", "score-vae-iwae-nan", "score-vae-non-binary-second-batch",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadInputExitsTwoWithOneLineAndNoPartialOutput(string name)
    {
        using var files = new ReliabilityFiles();
        var rbm = files.Save("rbm.fem", ReliabilityFiles.SmallRbm());
        var grbm = files.Save("grbm.fem", ReliabilityFiles.SmallGaussianRbm());
        var vae = files.Save("vae.fem", ReliabilityFiles.SmallVae());
        string outCsv = files.Path("out.csv"), outModel = files.Path("new.fem");
        string nan = Row([.. Enumerable.Repeat(0f, ReliabilityFiles.Width - 1), float.NaN]);
        string good = BinaryRows(40, 1);
        string Data(string text) => files.Text("data.csv", text);
        string[] Train(string model, string data, params string[] extra) => ["train", "--model", model, "--data", data, "--hidden", "4", "--epochs", "2", "--batch", "8", "--out", outModel, .. extra];
        string[] Score(string model, string data, params string[] extra) => ["score", "--model", model, "--data", data, "--out", outCsv, .. extra];
        (string[] args, string expect) = name switch
        {
            "score-nan-cell" => (Score(rbm, Data(BinaryRows(30, 2, r => r == 17 ? nan : null))), "row 18"),
            "score-inf-cell" => (Score(grbm, Data(BinaryRows(30, 2, r => r == 3 ? "0,Infinity" + string.Concat(Enumerable.Repeat(",0", ReliabilityFiles.Width - 2)) : null))), "row 4"),
            "score-wrong-width" => (Score(rbm, files.Csv("data.csv", ReliabilityFiles.Binary(20, ReliabilityFiles.Width + 3, 3))), "columns"),
            "score-ragged" => (Score(rbm, Data(BinaryRows(30, 2, r => r == 9 ? "0,1,0" : null))), "row 10"),
            "score-empty" => (Score(rbm, Data("")), "data.csv"),
            "score-header-only" => (Score(rbm, Data(string.Join(",", Enumerable.Range(0, ReliabilityFiles.Width).Select(i => $"x{i}")) + "\n")), "data.csv"),
            "score-non-binary" => (Score(rbm, Data(BinaryRows(30, 2, r => r == 5 ? Row([.. Enumerable.Repeat(0f, ReliabilityFiles.Width - 1), 2f]) : null))), "[0, 1]"),
            "score-negative" => (Score(rbm, Data(BinaryRows(30, 2, r => r == 5 ? Row([-0.5f, .. Enumerable.Repeat(0f, ReliabilityFiles.Width - 1)]) : null))), "column 1"),
            "score-bad-row-after-first-batch" => (Score(rbm, Data(BinaryRows(6000, 4, r => r == 5000 ? nan : null))), "row 5001"),
            "score-vae-wrong-width" => (Score(vae, files.Csv("data.csv", ReliabilityFiles.Binary(20, ReliabilityFiles.Width - 1, 3))), "columns"),
            "score-grbm-huge" => (Score(grbm, Data(BinaryRows(30, 2, r => r == 7 ? Row([1e30f, .. Enumerable.Repeat(0f, ReliabilityFiles.Width - 1)]) : null))), "row 8"),
            "train-rbm-nan" => (Train("rbm", Data(BinaryRows(30, 2, r => r == 11 ? nan : null))), "row 12"),
            "train-rbm-non-binary" => (Train("rbm", Data(BinaryRows(30, 2, r => r == 11 ? Row([.. Enumerable.Repeat(0.5f, ReliabilityFiles.Width - 1), 3f]) : null))), "[0, 1]"),
            "train-grbm-huge" => (Train("grbm", Data(BinaryRows(30, 2, r => r == 2 ? Row([1e30f, .. Enumerable.Repeat(0f, ReliabilityFiles.Width - 1)]) : null))), "row 3"),
            "train-grbm-inf" => (Train("grbm", Data(BinaryRows(30, 2, r => r == 2 ? Row([float.NegativeInfinity, .. Enumerable.Repeat(0f, ReliabilityFiles.Width - 1)]) : null))), "row 3"),
            "train-ragged" => (Train("rbm", Data(BinaryRows(30, 2, r => r == 20 ? good.Split('\n')[0] + ",1" : null))), "row 21"),
            "train-empty" => (Train("vae", Data(""), "--latent", "2", "--layers", "4"), "data.csv"),
            "train-labels-mismatch" => (Train("rbm", Data(good), "--labels", files.Text("labels.csv", "1\n2\n3\n"), "--class", "1"), "label"),
            "score-labels-mismatch" => (Score(rbm, Data(good), "--labels", files.Text("labels.csv", "1\n2\n"), "--class", "1"), "label"),
            "encode-wrong-width" => (["encode", "--model", rbm, "--data", files.Csv("data.csv", ReliabilityFiles.Binary(20, 5, 3)), "--out", outCsv], "columns"),
            "reconstruct-nan" => (["reconstruct", "--model", rbm, "--data", Data(BinaryRows(10, 2, r => r == 1 ? nan : null)), "--out", outCsv], "row 2"),
            "score-corrupt-model" => (Score(Corrupt(rbm), Data(good)), "rbm.fem"),
            "score-unknown-class" => (Score(rbm, Data(good), "--labels", files.Text("labels.csv", string.Concat(Enumerable.Repeat("1\n", 40))), "--class", "7"), "7"),
            "score-vae-nan" => (Score(vae, Data(BinaryRows(30, 2, r => r == 3 ? nan : null))), "data.csv, row 4, column 16"),
            "score-vae-iwae-nan" => (Score(vae, Data(BinaryRows(30, 2, r => r == 3 ? nan : null)), "--estimator", "iwae", "--samples", "3"), "data.csv, row 4, column 16"),
            "score-vae-non-binary-second-batch" => (Score(vae, Data(BinaryRows(5000, 2, r => r == 4500 ? Row([.. Enumerable.Repeat(0f, ReliabilityFiles.Width - 1), 7f]) : null))), "data.csv, row 4501, column 16"),
            _ => throw new ArgumentException(name),
        };

        // An existing output file must survive a failed run untouched.
        File.WriteAllText(outModel, "previous model");
        File.WriteAllText(outCsv, "previous scores");
        var (code, err) = Run(args);
        Assert.True(code == 2, $"{name}: exit {code}, stderr: {err}");
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal), $"{name}: stderr was: {err}");
        Assert.DoesNotContain("internal failure", err);
        Assert.Contains(expect, err);
        Assert.Equal("previous model", File.ReadAllText(outModel));
        Assert.Equal("previous scores", File.ReadAllText(outCsv));
        Assert.Empty(files.Extra("rbm.fem", "grbm.fem", "vae.fem", "out.csv", "new.fem", "data.csv", "labels.csv"));
    }

    private static string Corrupt(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length - 5] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>
    /// Edge cases that must work: a single training row (RBM, Gaussian RBM, VAE), constant columns for a Gaussian RBM,
    /// [0, 1] probabilities for a Bernoulli RBM. Each run exits 0 and writes a finite model that scores finitely.
    /// </summary>
    [Theory]
    [InlineData("rbm-one-row")]
    [InlineData("grbm-one-row")]
    [InlineData("vae-one-row")]
    [InlineData("grbm-constant-columns")]
    [InlineData("grbm-constant-columns-learn-sigma")]
    [InlineData("rbm-probabilities")]
    public void EdgeCaseDataTrainsAFiniteModel(string name)
    {
        using var files = new ReliabilityFiles();
        var rng = new Random(7);
        string RowsText(int rows, Func<int, int, float> value)
            => string.Concat(Enumerable.Range(0, rows).Select(r => Row([.. Enumerable.Range(0, ReliabilityFiles.Width).Select(c => value(r, c))]) + "\n"));
        string data = name switch
        {
            "rbm-one-row" or "grbm-one-row" or "vae-one-row" => files.Text("d.csv", RowsText(1, (r, c) => c % 2)),
            "grbm-constant-columns" or "grbm-constant-columns-learn-sigma" => files.Text("d.csv", RowsText(50, (r, c) => c < 4 ? 3.5f : (float)rng.NextDouble() * 2 - 1)),
            "rbm-probabilities" => files.Text("d.csv", RowsText(50, (r, c) => (float)rng.NextDouble())),
            _ => throw new ArgumentException(name),
        };
        string kind = name.Split('-')[0];
        var model = files.Path("m.fem");
        string[] args = ["train", "--model", kind, "--data", data, "--hidden", "4", "--epochs", "3", "--batch", "10", "--out", model];
        if (kind == "vae") args = [.. args, "--latent", "2", "--layers", "4"];
        if (name.EndsWith("learn-sigma", StringComparison.Ordinal)) args = [.. args, "--learn-sigma"];
        var (code, err) = Run(args);
        Assert.True(code == 0, $"{name}: exit {code}: {err}");
        var document = ModelFile.Load(model);
        foreach (var t in document.Tensors) Assert.All(t.Data, x => Assert.True(float.IsFinite(x)));
        IFreeEnergyModel loaded = document.Kind == ModelKinds.Vae ? Vae.FromDocument(document) : RbmBase.FromDocument(document);
        var rows = FreeEnergy.Data.DataReader.Read(data).Features;
        Assert.All(loaded.FreeEnergy(rows.View), f => Assert.True(float.IsFinite(f)));
    }
}

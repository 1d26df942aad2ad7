using System.Text;
using FreeEnergy.Cli;
using FreeEnergy.Models;
using FreeEnergy.Persistence;

namespace FreeEnergy.Tests.Reliability;

using Vae = global::FreeEnergy.Models.Vae;

/// <summary>
/// Bad input through the CLI: every case exits with code 2 and one "error:" line on stderr naming the problem in the
/// user's words (no temporary file name, no stack trace), and leaves no output or temporary file behind (an existing
/// --out file is left as it was). Bad output paths fail before any work: the one line is the error, with no epoch of
/// training progress before it. Parse errors follow the same contract.
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
        // Output paths, checked before any work.
        "train-out-is-folder", "train-out-folder-with-slash", "train-out-missing-folder", "train-out-unwritable", "train-out-read-only",
        "train-vae-out-is-folder", "train-plots-is-file", "train-plots-unwritable", "score-out-is-folder", "score-out-unwritable",
        "score-out-read-only", "encode-out-is-folder", "reconstruct-out-unwritable", "sample-out-is-folder", "sample-vae-out-unwritable",
        "export-onnx-out-is-folder", "export-onnx-out-unwritable", "anomaly-eval-plots-is-file",
        // Data that is not what the verb takes.
        "train-label-file-as-data", "sample-vae-gibbs-option", "sample-rbm-binary",
        // Parse errors, in the user's words.
        "parse-model-unknown", "parse-hidden-not-a-number", "parse-lr-not-a-number", "parse-seed-negative", "parse-hidden-no-value",
        "parse-unknown-option", "parse-missing-required", "parse-no-verb", "parse-bench-no-verb", "parse-device-unknown",
        "parse-estimator-unknown", "parse-hidden-twice",
        // A threshold must not turn a NaN into 0.
        "score-binarize-nan", "train-binarize-nan", "score-binarized-model-nan",
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
        // Many epochs: a bad --out found only after training would show as epoch lines on stderr and a slow test.
        string[] TrainTo(string output, params string[] extra) => ["train", "--model", "rbm", "--data", Data(good), "--hidden", "4", "--epochs", "100000", "--batch", "8", "--out", output, .. extra];
        string folder = Directory.CreateDirectory(files.Path("adir")).FullName;
        string ReadOnly(string name)
        {
            var path = files.Text(name, "previous");
            File.SetAttributes(path, FileAttributes.ReadOnly);
            return path;
        }
        string LabelFile() => files.Bytes("labels-idx1-ubyte", global::FreeEnergy.Tests.Data.IdxFiles.UnsignedBytes([40], new byte[40]));
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
            "train-out-is-folder" => (TrainTo(folder), "--out " + folder + " is a folder"),
            "train-out-folder-with-slash" => (TrainTo(files.Path("newdir") + "/"), "is a folder"),
            "train-out-missing-folder" => (TrainTo(files.Path("no/such/m.fem")), "the folder " + files.Path("no/such") + " does not exist"),
            "train-out-unwritable" => (TrainTo("/proc/m.fem"), "cannot write --out /proc/m.fem: the file system does not allow creating files there"),
            "train-out-read-only" => (TrainTo(ReadOnly("ro.fem")), "read-only"),
            "train-vae-out-is-folder" => (["train", "--model", "vae", "--data", Data(good), "--latent", "2", "--layers", "4", "--epochs", "100000", "--out", folder], "is a folder"),
            "train-plots-is-file" => (TrainTo(outModel, "--plots", Data(good)), "--plots " + files.Path("data.csv") + " is a file"),
            "train-plots-unwritable" => (TrainTo(outModel, "--plots", "/proc/plots"), "--plots folder /proc/plots"),
            "score-out-is-folder" => (["score", "--model", rbm, "--data", Data(good), "--out", folder], "is a folder"),
            "score-out-unwritable" => (["score", "--model", rbm, "--data", Data(good), "--out", "/proc/s.csv"], "/proc/s.csv"),
            "score-out-read-only" => (["score", "--model", rbm, "--data", Data(good), "--out", ReadOnly("ro.csv")], "ro.csv: the file exists and is read-only"),
            "encode-out-is-folder" => (["encode", "--model", rbm, "--data", Data(good), "--out", folder], "is a folder"),
            "reconstruct-out-unwritable" => (["reconstruct", "--model", rbm, "--data", Data(good), "--out", "/proc/r.csv"], "/proc/r.csv"),
            "sample-out-is-folder" => (["sample", "--model", rbm, "--burn-in", "100000000", "--out", folder], "is a folder"),
            "sample-vae-out-unwritable" => (["sample", "--model", vae, "--out", "/proc/s.png"], "/proc/s.png"),
            "export-onnx-out-is-folder" => (["export-onnx", "--model", rbm, "--graph", "all", "--out", folder], "is a folder"),
            "export-onnx-out-unwritable" => (["export-onnx", "--model", vae, "--graph", "all", "--out", "/proc/m.onnx"], "/proc/m.onnx"),
            "anomaly-eval-plots-is-file" => (["anomaly-eval", "--data-dir", files.Folder, "--plots", Data(good)], "--plots " + files.Path("data.csv") + " is a file"),
            "train-label-file-as-data" => (Train("rbm", LabelFile()), "holds labels, not features"),
            "sample-vae-gibbs-option" => (["sample", "--model", vae, "--burn-in", "10", "--out", outCsv], "--burn-in applies to RBMs"),
            "sample-rbm-binary" => (["sample", "--model", rbm, "--binary", "--out", outCsv], "--binary applies to VAEs"),
            "parse-model-unknown" => (["train", "--model", "foo"], "--model must be one of rbm, grbm, vae, vae2 (got 'foo')."),
            "parse-hidden-not-a-number" => (["train", "--model", "rbm", "--data", Data(good), "--out", outModel, "--hidden", "abc"], "--hidden must be a whole number (got 'abc')."),
            "parse-lr-not-a-number" => (Train("rbm", Data(good), "--lr", "fast"), "--lr must be a number (got 'fast')."),
            "parse-seed-negative" => (Train("rbm", Data(good), "--seed", "-3"), "--seed must be a whole number of zero or more (got '-3')."),
            "parse-hidden-no-value" => (["train", "--model", "rbm", "--data", Data(good), "--out", outModel, "--hidden"], "--hidden needs a value."),
            "parse-unknown-option" => ([.. Score(rbm, Data(good)), "--hiden", "3"], "'--hiden' is not an option or verb of freeenergy score; see 'freeenergy score --help'."),
            "parse-missing-required" => (["train", "--model", "rbm"], "freeenergy train needs --data and --out; see 'freeenergy train --help'."),
            "parse-no-verb" => ([], "freeenergy needs a verb: train, score"),
            "parse-bench-no-verb" => (["bench"], "freeenergy bench needs a verb"),
            "parse-device-unknown" => (["device", "--device", "GPU"], "--device must be one of auto, cpu, cuda (got 'GPU')."),
            "parse-estimator-unknown" => (Score(rbm, Data(good), "--estimator", "magic"), "--estimator must be one of"),
            "score-binarize-nan" => (Score(rbm, Data(BinaryRows(30, 2, r => r == 3 ? nan : null)), "--binarize"), "data.csv, row 4, column 16"),
            "train-binarize-nan" => (Train("rbm", Data(BinaryRows(30, 2, r => r == 3 ? nan : null)), "--binarize"), "data.csv, row 4, column 16"),
            "score-binarized-model-nan" => (Score(BinarizedModel(files), Data(BinaryRows(30, 2, r => r == 3 ? nan : null))), "data.csv, row 4, column 16"),
            "parse-hidden-twice" => (Train("rbm", Data(good), "--hidden", "abc"), "--hidden takes one value (got '4' 'abc')."),
            _ => throw new ArgumentException(name),
        };

        // An existing output file must survive a failed run untouched.
        File.WriteAllText(outModel, "previous model");
        File.WriteAllText(outCsv, "previous scores");
        var (code, err) = Run(args);
        Assert.True(code == 2, $"{name}: exit {code}, stderr: {err}");
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Exactly one line, and it is the error: nothing (no epoch of training progress) came before it.
        Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal), $"{name}: stderr was: {err}");
        Assert.DoesNotContain("internal failure", err);
        Assert.DoesNotContain(".tmp", err);
        Assert.DoesNotContain("freeenergy-probe", err);
        Assert.DoesNotContain("Exception", err);
        Assert.DoesNotContain("   at ", err);
        Assert.DoesNotContain("System.", err);
        Assert.Contains(expect, err);
        Assert.Equal("previous model", File.ReadAllText(outModel));
        Assert.Equal("previous scores", File.ReadAllText(outCsv));
        foreach (var kept in new[] { "ro.fem", "ro.csv" })
            if (File.Exists(files.Path(kept))) Assert.Equal("previous", File.ReadAllText(files.Path(kept)));
        Assert.Empty(files.Extra("rbm.fem", "grbm.fem", "vae.fem", "out.csv", "new.fem", "data.csv", "labels.csv", "ro.fem", "ro.csv", "labels-idx1-ubyte"));
        Assert.Empty(Directory.GetFileSystemEntries(folder));
        Assert.False(Directory.Exists(files.Path("newdir")) && Directory.GetFileSystemEntries(files.Path("newdir")).Length > 0);
    }

    /// <summary>A model trained with --binarize: scoring applies the recorded threshold.</summary>
    private static string BinarizedModel(ReliabilityFiles files)
    {
        var model = ReliabilityFiles.SmallRbm();
        model.Annotations[FreeEnergy.Data.Preprocessing.ThresholdBinarizer.ModelAnnotation] = FreeEnergy.Data.Preprocessing.ThresholdBinarizer.DefaultRule;
        return files.Save("rbm.fem", model);
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

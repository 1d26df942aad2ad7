using System.CommandLine;
using System.Globalization;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Data;
using FreeEnergy.Data.Preprocessing;
using FreeEnergy.Estimation;
using FreeEnergy.Models;
using FreeEnergy.Persistence;
using FreeEnergy.Tensors;

namespace FreeEnergy.Cli.Commands.Rbm;

/// <summary>Shared pieces of the model verbs: options, loading data and models, log Z estimation, CSV output.</summary>
internal static class RbmCli
{
    public static Option<string> DataPath() => new("--data") { Description = "Data file: .csv, .parquet, .idx, .idx.gz or MNIST's -ubyte(.gz) names.", Required = true };
    public static Option<string?> LabelColumn() => new("--label-column") { Description = "The column holding integer labels, by name (a Parquet column or a CSV header cell); it is not a feature." };
    public static Option<string?> Labels() => new("--labels") { Description = "A label file (IDX or one-column CSV); default: the MNIST pair's label file when found." };
    public static Option<int?> Class() => new("--class") { Description = "Keep only rows with this label." };
    public static Option<int?> MaxRows() => new("--max-rows") { Description = "Read at most this many rows." };
    public static Option<string> ModelPath() => new("--model") { Description = "A model file written by train.", Required = true };
    public static Option<string> Out(string what) => new("--out") { Description = what, Required = true };
    public static Option<string> Device() => new Option<string>("--device") { Description = "Compute device: auto (CUDA when available, else CPU; RBM verbs use the CPU), cpu, or cuda (fail when unavailable).", DefaultValueFactory = _ => "auto" }.AcceptOnlyFromAmong("auto", "cpu", "cuda");

    public static IComputeBackend Backend(ParseResult parse, Option<int> threads, Option<string>? device = null)
        => Backend(parse, threads, device, out _);

    /// <summary>
    /// The backend for an RBM verb. <c>--device cuda</c> uses the CUDA backend (its span GEMMs copy operands per call);
    /// <c>auto</c> and <c>cpu</c> use the CPU backend, which is the faster choice for RBM batch shapes in this build.
    /// </summary>
    public static IComputeBackend Backend(ParseResult parse, Option<int> threads, Option<string>? device, out string reason)
    {
        int t = CommonOptions.Range("--threads", parse.GetValue(threads), 0, 1024);
        string choice = device is null ? "auto" : parse.GetValue(device) ?? "auto";
        if (choice == "cuda")
            return ComputeBackends.Create(ComputeDevice.Cuda, t, out reason);
        reason = choice == "cpu" ? "cpu: requested with --device cpu" : "cpu: RBMs run on the CPU backend with --device auto in this build";
        return t == 0 ? CpuBackend.Default : new CpuBackend(t);
    }

    public static DataSet ReadData(ParseResult parse, Option<string> data, Option<string?>? labels = null, Option<int?>? @class = null, Option<int?>? maxRows = null,
        Option<string?>? labelColumn = null)
    {
        var path = parse.GetValue(data)!;
        if (!File.Exists(path)) throw new CliException($"data file not found: {path}");
        var options = new DataReadOptions
        {
            LabelsPath = labels is null ? null : parse.GetValue(labels),
            Class = @class is null ? null : parse.GetValue(@class),
            MaxRows = maxRows is null ? null : parse.GetValue(maxRows),
            LabelColumnName = labelColumn is null ? null : parse.GetValue(labelColumn),
        };
        if (options.MaxRows is <= 0) throw new CliException("--max-rows must be at least 1.");
        var set = DataReader.Read(path, options);
        if (set.Features.Rows == 0) throw new CliException($"no rows to use in {path}{(options.Class is { } c ? $" with label {c}" : "")}.");
        return set;
    }

    public static RbmBase LoadModel(string path, IComputeBackend backend)
        => LoadAny(path, backend) as RbmBase ?? throw new CliException("this verb is available for RBM models only in this build.");

    /// <summary>Loads an RBM or a VAE model file onto <paramref name="backend"/>.</summary>
    public static IFreeEnergyModel LoadAny(string path, IComputeBackend backend)
    {
        if (!File.Exists(path)) throw new CliException($"model file not found: {path}");
        var document = ModelFileCache.Load(path);
        if (document.Kind is ModelKinds.Vae or ModelKinds.HierarchicalVae)
        {
            IVariationalModel vae = document.Kind == ModelKinds.Vae
                ? global::FreeEnergy.Models.Vae.FromDocument(document)
                : HierarchicalVae.FromDocument(document);
            vae.Backend = backend;
            return vae;
        }
        var model = RbmBase.FromDocument(document);
        model.Backend = backend;
        return model;
    }

    /// <summary>Checks the width of the data against any model (RBMs also check their value range).</summary>
    public static void CheckData(IFreeEnergyModel model, DataSet data)
    {
        if (model is RbmBase rbm) { CheckData(rbm, data); return; }
        if (data.Features.Columns != model.InputDimension)
            throw new CliException($"{data.Source}: rows have {data.Features.Columns} columns but the model takes {model.InputDimension}.");
    }

    /// <summary>
    /// Checks the width of the data, applies the input binarisation recorded in the model at training time
    /// (<c>train --binarize</c>), then validates the value range.
    /// </summary>
    public static void CheckData(RbmBase model, DataSet data)
    {
        if (data.Features.Columns != model.Visible)
            throw new CliException($"{data.Source}: rows have {data.Features.Columns} columns but the model has {model.Visible} visible units.");
        if (ThresholdBinarizer.IsRecordedIn(model.Annotations)) Binarize(data);
        model.ValidateData(data.Features.View, data.Source);
    }

    /// <summary>
    /// Thresholds <paramref name="data"/> at 0.5 in place (<c>--binarize</c>), after refusing values that are not finite
    /// (the threshold would silently turn a NaN into 0), naming the file, row and column.
    /// </summary>
    public static void Binarize(DataSet data)
    {
        var x = data.Features;
        for (int r = 0; r < x.Rows; r++)
        {
            var row = x.Row(r);
            if (float.IsFinite(System.Numerics.Tensors.TensorPrimitives.Sum(row))) continue; // NaN and infinities make the sum non-finite
            for (int c = 0; c < row.Length; c++)
                if (!float.IsFinite(row[c]))
                    throw new DataFormatException($"value {row[c]} is not finite; --binarize needs numbers to threshold.", data.Source, r + 1, c + 1);
        }
        new ThresholdBinarizer().TransformInPlace(x);
    }

    /// <summary>The model annotation recording how training data were binarised.</summary>
    public const string InputBinarization = ThresholdBinarizer.ModelAnnotation;

    /// <summary>The value of <see cref="InputBinarization"/> for <c>--binarize</c> (x &gt; 0.5 becomes 1).</summary>
    public const string ThresholdRule = ThresholdBinarizer.DefaultRule;

    /// <summary>
    /// Estimates log Z by name; "stored" uses the model file's value. With <paramref name="parse"/>, the estimators that
    /// take a while show progress on a terminal (<see cref="WorkProgress"/>).
    /// </summary>
    public static LogPartitionEstimate LogPartition(RbmBase model, string estimator, MatrixView data, AisOptions ais, ParseResult? parse = null)
    {
        using var progress = parse is null || estimator is "stored" ? null
            : WorkProgress.Start(parse, $"log Z by {estimator} ({model.Visible}x{model.Hidden})", indeterminate: estimator != "ais");
        switch (estimator)
        {
            case "stored":
                if (model.LogPartition is not { } z) throw new CliException("the model file holds no log_partition; choose --estimator exact, ais or tap.");
                return new LogPartitionEstimate(z, z, z, "stored");
            case "exact":
                if (!ExactLogPartition.IsFeasible(model))
                    throw new CliException($"exact log Z enumerates the smaller layer and needs at most {ExactLogPartition.MaxEnumeratedUnits} units ({model.Visible}x{model.Hidden} is too large); use --estimator ais or tap.");
                return ExactLogPartition.Estimate(model);
            case "ais":
                ais.Progress = progress;
                return AnnealedImportanceSampling.Estimate(model, data, ais);
            case "tap":
                if (model is not BernoulliRbm b) throw new CliException("the TAP estimate is for Bernoulli RBMs; use --estimator ais or exact for a Gaussian RBM.");
                return TapLogPartition.Estimate(b, data);
            default:
                throw new CliException($"unknown estimator '{estimator}'.");
        }
    }

    public static Option<int> AisRuns() => new("--ais-runs") { Description = "AIS runs.", DefaultValueFactory = _ => 100 };
    public static Option<int> AisBetas() => new("--ais-betas") { Description = "AIS intermediate distributions (the paper's 500/4000/10000 split, scaled).", DefaultValueFactory = _ => 14500 };

    public static AisOptions Ais(ParseResult parse, Option<int> runs, Option<int> betas, ulong seed, IComputeBackend backend)
    {
        int r = CommonOptions.Range("--ais-runs", parse.GetValue(runs), 2, 100000);
        int k = CommonOptions.Range("--ais-betas", parse.GetValue(betas), 10, 10_000_000);
        double scale = k / 14500.0;
        int first = Math.Max(1, (int)Math.Round(500 * scale)), second = Math.Max(1, (int)Math.Round(4000 * scale));
        int third = Math.Max(1, k - first - second);
        return new AisOptions { Runs = r, Betas = AisOptions.DefaultSchedule(first, second, third), Seed = seed, Backend = backend };
    }

    /// <summary>Saves a model file atomically; a write failure names <paramref name="path"/> (see <see cref="AtomicFile"/>).</summary>
    public static void SaveModel(string path, IFreeEnergyModel model)
        => AtomicFile.Write(path, stream => ModelFile.Save(stream, model.ToDocument()));

    /// <summary>Writes a table to --out: Parquet when the path ends with .parquet, else CSV (see <see cref="TableOutput"/>).</summary>
    public static void WriteTable(string path, string[] header, int rows, Func<int, int, double> value)
        => TableOutput.Write(path, header, table =>
        {
            var row = new double[header.Length];
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < row.Length; c++) row[c] = value(r, c);
                table.Append(row);
            }
        });

    public static void WriteMatrix(string path, Matrix m, string prefix)
    {
        var header = new string[m.Columns];
        for (int c = 0; c < header.Length; c++) header[c] = prefix + c.ToString(CultureInfo.InvariantCulture);
        WriteTable(path, header, m.Rows, (r, c) => m[r, c]);
    }
}

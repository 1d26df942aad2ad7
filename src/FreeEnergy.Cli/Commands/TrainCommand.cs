using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Commands.Rbm;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Compute;
using FreeEnergy.Data;
using FreeEnergy.Estimation;
using FreeEnergy.Models;
using FreeEnergy.Persistence;
using FreeEnergy.Training;

namespace FreeEnergy.Cli.Commands;

/// <summary><c>freeenergy train --model rbm|grbm|vae|vae2 --data PATH ... --out MODEL</c>.</summary>
internal static class TrainCommand
{
    /// <summary>The verb's options, declared once; the RBM path and <see cref="VaeSettings.Read"/> read their values.</summary>
    private sealed class TrainOptions
    {
        public readonly Option<string> Kind = new Option<string>("--model") { Description = "Model to train: rbm (Bernoulli), grbm (Gaussian-Bernoulli), vae, or vae2 (two-level VAE x <- z1 <- z2).", Required = true }.AcceptOnlyFromAmong("rbm", "grbm", "vae", "vae2");
        public readonly Option<string> Data = RbmCli.DataPath();
        public readonly Option<string?> Labels = RbmCli.Labels();
        public readonly Option<int?> Class = RbmCli.Class();
        public readonly Option<int?> MaxRows = RbmCli.MaxRows();
        public readonly Option<string?> LabelColumn = RbmCli.LabelColumn();
        public readonly Option<string?> Validation = new("--validation") { Description = "Validation data (same format) for monitoring and early stopping." };
        public readonly Option<int> Hidden = new("--hidden") { Description = "Hidden units.", DefaultValueFactory = _ => 100 };
        public readonly Option<int> Epochs = new("--epochs") { Description = "Epochs.", DefaultValueFactory = _ => 10 };
        public readonly Option<int> Batch = new("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 100 };
        public readonly Option<float?> LearningRate = new("--lr") { Description = "Learning rate (default: rbm 0.05 with PCD, 0.1 with CD; 0.005 for TAP and grbm)." };
        public readonly Option<string> Schedule = new Option<string>("--schedule") { Description = "Learning-rate schedule: constant, linear or exponential.", DefaultValueFactory = _ => "linear" }.AcceptOnlyFromAmong("constant", "linear", "exponential");
        public readonly Option<float?> Momentum = new("--momentum") { Description = "Momentum (default: 0.9 for rbm with CD, else 0.5)." };
        public readonly Option<float> L2 = new("--l2") { Description = "L2 weight decay on the RBM weights.", DefaultValueFactory = _ => 0.0002f };
        public readonly Option<int?> Cd = new("--cd") { Description = "CD-k negative phase with k steps." };
        public readonly Option<int?> Pcd = new("--pcd") { Description = "PCD-k negative phase with k steps (default: --pcd 1)." };
        public readonly Option<int> Chains = new("--chains") { Description = "PCD chains (0 = batch size).", DefaultValueFactory = _ => 0 };
        public readonly Option<int?> Tap = new("--tap") { Description = "TAP (EMF) negative phase of order 2 or 3 (Bernoulli RBM)." };
        public readonly Option<bool> LearnSigma = new("--learn-sigma") { Description = "grbm: learn the per-visible sigma (default: fixed at 1; standardise the data)." };
        public readonly Option<int> Patience = new("--patience") { Description = "Early-stopping patience in epochs (needs --validation; 0 = off).", DefaultValueFactory = _ => 0 };
        public readonly Option<bool> Binarize = new("--binarize") { Description = "rbm: threshold the data at 0.5 first." };
        public readonly Option<string> Estimate = new Option<string>("--estimate") { Description = "Estimate log Z after training and store it: none, exact, ais or tap.", DefaultValueFactory = _ => "none" }.AcceptOnlyFromAmong("none", "exact", "ais", "tap");
        public readonly Option<ulong> Seed = CommonOptions.Seed();
        public readonly Option<int> Threads = CommonOptions.Threads();
        public readonly Option<string> Device = RbmCli.Device();
        public readonly Vae.VaeShapeOptions VaeShape = new();
        public readonly Option<string> Output = RbmCli.Out("The model file to write.");
        public readonly Option<string?> Plots = new("--plots") { Description = "A folder to write pictures into: training curves (training.png/.svg) and, for 28x28 data, a reconstruction grid." };
        public readonly Option<bool> Json = CommonOptions.Json();

        public Option[] All => [Kind, Data, Labels, LabelColumn, Class, MaxRows, Validation, Hidden, Epochs, Batch, LearningRate, Schedule, Momentum, L2, Cd, Pcd,
            Chains, Tap, LearnSigma, Patience, Binarize, Estimate, Seed, Threads, Device, .. VaeShape.All, Output, Plots, Json];
    }

    /// <summary>What <c>train --model vae|vae2</c> was asked for, read and checked once from the command line.</summary>
    private sealed record VaeSettings(VaeTrainingOptions Options, bool TwoLevel, int[] Latents, string? Validation, string Out, string? Plots, bool Json, int Threads, string? Device)
    {
        public static VaeSettings Read(ParseResult parse, TrainOptions o, bool twoLevel)
        {
            var options = o.VaeShape.Read(parse, twoLevel, CommonOptions.Range("--epochs", parse.GetValue(o.Epochs), 1, 1_000_000), out var latents);
            options.LearningRate = parse.GetValue(o.LearningRate) ?? 1e-3f;
            options.BatchSize = CommonOptions.Range("--batch", parse.GetValue(o.Batch), 1, 1_000_000);
            options.EarlyStoppingPatience = CommonOptions.Range("--patience", parse.GetValue(o.Patience), 0, 1_000_000);
            options.Seed = parse.GetValue(o.Seed);
            if (!(options.LearningRate > 0) || !float.IsFinite(options.LearningRate)) throw new CliException($"--lr must be positive (got {options.LearningRate}).");
            return new VaeSettings(options, twoLevel, latents, parse.GetValue(o.Validation), parse.GetValue(o.Output)!, parse.GetValue(o.Plots), parse.GetValue(o.Json),
                CommonOptions.Range("--threads", parse.GetValue(o.Threads), 0, 1024), parse.GetValue(o.Device));
        }
    }

    /// <summary>What <c>train --model rbm|grbm</c> was asked for, read and checked once from the command line (the data, the
    /// validation rows and the backend are added to <see cref="Options"/> when training starts).</summary>
    private sealed record RbmSettings(RbmTrainingOptions Options, bool Binarize, string Estimate, string? Validation, string? Plots, bool Json)
    {
        public static RbmSettings Read(ParseResult parse, TrainOptions o, string model)
        {
            int phases = (parse.GetValue(o.Cd) is null ? 0 : 1) + (parse.GetValue(o.Pcd) is null ? 0 : 1) + (parse.GetValue(o.Tap) is null ? 0 : 1);
            if (phases > 1) throw new CliException("choose one of --cd, --pcd and --tap.");
            NegativePhase phase;
            if (parse.GetValue(o.Pcd) is { } pk) phase = NegativePhase.PersistentContrastiveDivergence(CommonOptions.Range("--pcd", pk, 1, 10000), CommonOptions.Range("--chains", parse.GetValue(o.Chains), 0, 1_000_000));
            else if (parse.GetValue(o.Tap) is { } order)
            {
                if (order is not (2 or 3)) throw new CliException($"--tap must be 2 or 3 (got {order}).");
                if (model == "grbm") throw new CliException("--tap trains Bernoulli RBMs only; use --cd or --pcd for grbm.");
                phase = NegativePhase.Tap(order);
            }
            else if (parse.GetValue(o.Cd) is { } ck) phase = NegativePhase.ContrastiveDivergence(CommonOptions.Range("--cd", ck, 1, 10000));
            else phase = NegativePhase.PersistentContrastiveDivergence(1, CommonOptions.Range("--chains", parse.GetValue(o.Chains), 0, 1_000_000));
            float rate = parse.GetValue(o.LearningRate) ?? RbmDefaults.LearningRate(phase, gaussian: model == "grbm");
            if (!(rate > 0) || !float.IsFinite(rate)) throw new CliException($"--lr must be positive (got {rate}).");
            float mom = parse.GetValue(o.Momentum) ?? RbmDefaults.Momentum(phase, gaussian: model == "grbm");
            if (!(mom >= 0 && mom < 1)) throw new CliException($"--momentum must be in [0, 1) (got {mom}).");
            float decay = parse.GetValue(o.L2);
            if (!(decay >= 0) || !float.IsFinite(decay)) throw new CliException($"--l2 must be zero or positive (got {decay}).");
            if (parse.GetValue(o.LearnSigma) && model != "grbm") throw new CliException("--learn-sigma applies to --model grbm only.");
            var options = new RbmTrainingOptions
        {
                HiddenUnits = CommonOptions.Range("--hidden", parse.GetValue(o.Hidden), 1, 1_000_000),
                Epochs = CommonOptions.Range("--epochs", parse.GetValue(o.Epochs), 1, 1_000_000),
                BatchSize = CommonOptions.Range("--batch", parse.GetValue(o.Batch), 1, 1_000_000),
                LearningRate = rate,
                LearningRateSchedule = parse.GetValue(o.Schedule) switch { "linear" => LearningRateSchedule.LinearDecay, "exponential" => LearningRateSchedule.Exponential, _ => LearningRateSchedule.Constant },
                Momentum = mom,
                L2WeightDecay = decay,
                NegativePhase = phase,
                LearnSigma = parse.GetValue(o.LearnSigma),
                Seed = parse.GetValue(o.Seed),
                EarlyStoppingPatience = CommonOptions.Range("--patience", parse.GetValue(o.Patience), 0, 1_000_000),
            };
            return new RbmSettings(options, parse.GetValue(o.Binarize), parse.GetValue(o.Estimate)!, parse.GetValue(o.Validation), parse.GetValue(o.Plots), parse.GetValue(o.Json));
        }
    }

    public static Command Create()
    {
        var o = new TrainOptions();
        var command = new Command("train", "Train a model on a data file and save it.");
        foreach (var option in o.All) command.Options.Add(option);
        command.SetAction((parse, cancellationToken) =>
        {
            string model = parse.GetValue(o.Kind)!;
            // Where the results go is checked before any work, so that a bad --out or --plots loses no training.
            var outPath = OutputPath.CheckFile(parse.GetValue(o.Output)!);
            if (parse.GetValue(o.Plots) is { } plotFolder) OutputPath.CheckFolder(plotFolder, "--plots");
            if (model is "vae" or "vae2")
            {
                var settings = VaeSettings.Read(parse, o, model == "vae2");
                return Task.FromResult(TrainVae(parse, settings, RbmCli.ReadData(parse, o.Data, o.Labels, o.Class, o.MaxRows, o.LabelColumn), cancellationToken));
            }
            if (o.VaeShape.AnyGiven(parse))
                throw new CliException("--latent, --layers, --upper-layers, --beta, --iwae, --lr-stages, --dynamic-binarize and --kl-warmup apply to --model vae2 and --model vae only.");
            return Task.FromResult(TrainRbm(parse, o, model, outPath, cancellationToken));
        });
        return command;
    }

    private static int TrainRbm(ParseResult parse, TrainOptions o, string model, string outPath, CancellationToken cancellationToken)
    {
        var backend = RbmCli.Backend(parse, o.Threads, o.Device, out var backendReason);
        var s = RbmSettings.Read(parse, o, model);
        var options = s.Options;
        var set = RbmCli.ReadData(parse, o.Data, o.Labels, o.Class, o.MaxRows, o.LabelColumn);
        var features = set.Features;
        if (s.Binarize) RbmCli.Binarize(set);
        Tensors.Matrix? valid = null;
        if (s.Validation is { } validPath)
        {
            if (!File.Exists(validPath)) throw new CliException($"validation file not found: {validPath}");
            var validSet = DataReader.Read(validPath);
            if (s.Binarize) RbmCli.Binarize(validSet);
            valid = validSet.Features;
            if (valid.Columns != features.Columns) throw new CliException($"validation rows have {valid.Columns} columns, training rows {features.Columns}.");
        }
        options.ValidationData = valid;
        options.Backend = backend;
        bool asJson = s.Json;
        var stderr = parse.InvocationConfiguration.Error;
        var history = new List<TrainingProgress>();
        RbmTrainingResult result;
        RbmBase rbm;
        using (var display = TrainingProgressDisplay.Create(asJson, stderr))
        {
            var progress = new ProgressRelay<TrainingProgress>(p => { history.Add(p); display.Report(p); });
            rbm = model == "grbm" ? RbmTrainer.CreateGaussian(features.View, options) : RbmTrainer.CreateBernoulli(features.View, options);
            if (s.Binarize) rbm.Annotations[RbmCli.InputBinarization] = RbmCli.ThresholdRule;
            result = RbmTrainer.Train(rbm, features.View, options, progress, cancellationToken);
        }
        TrainingPictures.Write(s.Plots, history, "reconstruction error (mean squared)", rbm, features);

        LogPartitionEstimate? logZ = null;
        string est = s.Estimate;
        if (est != "none")
        {
            logZ = RbmCli.LogPartition(rbm, est, features.View, new AisOptions { Seed = options.Seed, Backend = backend }, parse);
            rbm.LogPartition = logZ.LogPartition;
            rbm.Annotations["log_partition_estimator"] = logZ.Method;
        }
        RbmCli.SaveModel(outPath, rbm);

        var last = result.LastProgress;
        var summary = new JsonObject
        {
            ["model"] = rbm.Kind,
            ["out"] = Path.GetFullPath(outPath),
            ["rows"] = features.Rows,
            ["visible"] = rbm.Visible,
            ["hidden"] = rbm.Hidden,
            ["negativePhase"] = options.NegativePhase.ToString(),
            ["epochs"] = result.EpochsRun,
            ["stoppedEarly"] = result.StoppedEarly,
            ["bestEpoch"] = result.BestEpoch,
            ["seconds"] = result.Seconds,
            ["secondsPerEpoch"] = result.Seconds / Math.Max(1, result.EpochsRun),
            ["reconstructionError"] = JsonOutput.Number(last?.TrainingLoss ?? double.NaN),
            ["validationReconstructionError"] = JsonOutput.Number(last?.ValidationLoss ?? double.NaN),
            ["freeEnergyGap"] = JsonOutput.Number(last?.FreeEnergyGap ?? double.NaN),
            ["logPartition"] = logZ is null ? null : JsonOutput.Number(logZ.LogPartition),
            ["backend"] = backend.Name,
            ["backendReason"] = backendReason,
        };
        var stdout = parse.InvocationConfiguration.Output;
        if (asJson) JsonOutput.Write(parse, summary);
        else stdout.WriteLine($"trained {rbm.Kind} {rbm.Visible}x{rbm.Hidden} ({options.NegativePhase}) for {result.EpochsRun} epochs in {result.Seconds:F1} s on {backend.Name}; saved {outPath}"
            + (logZ is null ? "" : $"; log Z = {logZ.LogPartition.ToString("F3", CultureInfo.InvariantCulture)} ({logZ.Method})"));
        return ExitCodes.Success;
    }

    private static int TrainVae(ParseResult parse, VaeSettings s, DataSet set, CancellationToken cancellationToken)
    {
        ComputeBackends.TryParse(s.Device, out var choice);
        var backend = ComputeBackends.Create(choice, s.Threads, out var backendReason);
        var outPath = s.Out;
        var options = s.Options;
        DataSet? valid = null;
        if (s.Validation is { } validPath)
        {
            if (!File.Exists(validPath)) throw new CliException($"validation file not found: {validPath}");
            valid = DataReader.Read(validPath);
        }
        bool asJson = s.Json;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TrainingProgress? last = null;
        var history = new List<TrainingProgress>();
        Models.IVariationalModel vae;
        using (var display = TrainingProgressDisplay.Create(asJson, parse.InvocationConfiguration.Error))
        {
            var progress = new ProgressRelay<TrainingProgress>(p => { last = p; history.Add(p); display.Report(p); });
            vae = s.TwoLevel
                ? Vae.VaeVerbs.TrainHierarchical(set, valid, options, backend, progress, cancellationToken)
                : Vae.VaeVerbs.Train(set, valid, options, backend, progress, cancellationToken);
        }
        TrainingPictures.Write(s.Plots, history, "-ELBO (nats)", vae, set.Features);
        RbmCli.SaveModel(outPath, vae);
        var stdout = parse.InvocationConfiguration.Output;
        if (asJson)
            JsonOutput.Write(parse, new JsonObject
            {
                ["model"] = vae.Kind,
                ["out"] = Path.GetFullPath(outPath),
                ["rows"] = set.Features.Rows,
                ["input"] = vae.InputDimension,
                ["latent"] = vae.EncodedDimension,
                ["upperLatent"] = s.TwoLevel ? s.Latents[1] : null,
                ["importanceSamples"] = options.ImportanceSamples,
                ["dynamicBinarization"] = options.DynamicBinarization,
                ["klWarmupEpochs"] = options.KlWarmupEpochs,
                ["epochs"] = last?.Epoch ?? 0,
                ["seconds"] = clock.Elapsed.TotalSeconds,
                ["trainingLoss"] = JsonOutput.Number(last?.TrainingLoss ?? double.NaN),
                ["validationLoss"] = JsonOutput.Number(last?.ValidationLoss ?? double.NaN),
                ["backend"] = backend.Name,
                ["backendReason"] = backendReason,
            });
        else stdout.WriteLine($"trained {(s.TwoLevel ? "vae2" : "vae")} {vae.InputDimension}->{string.Join(",", s.Latents)} for {last?.Epoch ?? 0} epochs in {clock.Elapsed.TotalSeconds:F1} s on {backend.Name}; saved {outPath}");
        return ExitCodes.Success;
    }
}

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
    public static Command Create()
    {
        var kind = new Option<string>("--model") { Description = "Model to train: rbm (Bernoulli), grbm (Gaussian-Bernoulli), vae, or vae2 (two-level VAE x <- z1 <- z2).", Required = true }.AcceptOnlyFromAmong("rbm", "grbm", "vae", "vae2");
        var data = RbmCli.DataPath();
        var labels = RbmCli.Labels();
        var @class = RbmCli.Class();
        var maxRows = RbmCli.MaxRows();
        var labelColumn = RbmCli.LabelColumn();
        var validation = new Option<string?>("--validation") { Description = "Validation data (same format) for monitoring and early stopping." };
        var hidden = new Option<int>("--hidden") { Description = "Hidden units.", DefaultValueFactory = _ => 100 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs.", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 100 };
        var lr = new Option<float?>("--lr") { Description = "Learning rate (default: rbm 0.05 with PCD, 0.1 with CD; 0.005 for TAP and grbm)." };
        var schedule = new Option<string>("--schedule") { Description = "Learning-rate schedule: constant, linear or exponential.", DefaultValueFactory = _ => "linear" }.AcceptOnlyFromAmong("constant", "linear", "exponential");
        var momentum = new Option<float?>("--momentum") { Description = "Momentum (default: 0.9 for rbm with CD, else 0.5)." };
        var l2 = new Option<float>("--l2") { Description = "L2 weight decay on the RBM weights.", DefaultValueFactory = _ => 0.0002f };
        var cd = new Option<int?>("--cd") { Description = "CD-k negative phase with k steps." };
        var pcd = new Option<int?>("--pcd") { Description = "PCD-k negative phase with k steps (default: --pcd 1)." };
        var chains = new Option<int>("--chains") { Description = "PCD chains (0 = batch size).", DefaultValueFactory = _ => 0 };
        var tap = new Option<int?>("--tap") { Description = "TAP (EMF) negative phase of order 2 or 3 (Bernoulli RBM)." };
        var learnSigma = new Option<bool>("--learn-sigma") { Description = "grbm: learn the per-visible sigma (default: fixed at 1; standardise the data)." };
        var patience = new Option<int>("--patience") { Description = "Early-stopping patience in epochs (needs --validation; 0 = off).", DefaultValueFactory = _ => 0 };
        var binarize = new Option<bool>("--binarize") { Description = "rbm: threshold the data at 0.5 first." };
        var estimate = new Option<string>("--estimate") { Description = "Estimate log Z after training and store it: none, exact, ais or tap.", DefaultValueFactory = _ => "none" }.AcceptOnlyFromAmong("none", "exact", "ais", "tap");
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var device = RbmCli.Device();
        var latent = new Option<string?>("--latent") { Description = "vae: latent dimensions (default 20); vae2: Z1,Z2 (default 100,50)." };
        var layers = new Option<string?>("--layers") { Description = "vae: hidden layer sizes, e.g. 400 or 512,256 (default 400); vae2: those between x and z1 (default 200,200)." };
        var upperLayers = new Option<string?>("--upper-layers") { Description = "vae2: hidden layer sizes between z1 and z2 (default: half of --layers)." };
        var beta = new Option<float?>("--beta") { Description = "vae: KL weight (vae2: at both levels)." };
        var iwae = new Option<int?>("--iwae") { Description = "vae: train the K-sample importance-weighted bound (IWAE, Burda et al. 2016); 1 (default) trains the ELBO." };
        var lrStages = new Option<bool>("--lr-stages") { Description = "vae: the IWAE paper's learning-rate schedule: stage i lasts 3^i epochs at --lr * 10^(-i/7)." };
        var output = RbmCli.Out("The model file to write.");
        var plots = new Option<string?>("--plots") { Description = "A folder to write pictures into: training curves (training.png/.svg) and, for 28x28 data, a reconstruction grid." };
        var json = CommonOptions.Json();
        var command = new Command("train", "Train a model on a data file and save it.");
        foreach (var o in new Option[] { kind, data, labels, labelColumn, @class, maxRows, validation, hidden, epochs, batch, lr, schedule, momentum, l2, cd, pcd, chains, tap, learnSigma, patience, binarize, estimate, seed, threads, device, latent, layers, upperLayers, beta, iwae, lrStages, output, plots, json })
            command.Options.Add(o);
        command.SetAction((parse, cancellationToken) =>
        {
            string model = parse.GetValue(kind)!;
            // Where the results go is checked before any work, so that a bad --out or --plots loses no training.
            var outPath = OutputPath.CheckFile(parse.GetValue(output)!);
            if (parse.GetValue(plots) is { } plotFolder) OutputPath.CheckFolder(plotFolder, "--plots");
            if (model is "vae" or "vae2") return Task.FromResult(TrainVae(parse, data, labels, @class, maxRows, labelColumn, validation, epochs, batch, lr, patience, latent, layers, beta, (iwae, lrStages, upperLayers, model == "vae2"), seed, threads, device, output, plots, json, cancellationToken));
            if (parse.GetValue(latent) is not null || parse.GetValue(layers) is not null || parse.GetValue(beta) is not null || parse.GetValue(iwae) is not null
                || parse.GetValue(lrStages) || parse.GetValue(upperLayers) is not null)
                throw new CliException("--latent, --layers, --upper-layers, --beta, --iwae and --lr-stages apply to --model vae2 and --model vae only.");
            var backend = RbmCli.Backend(parse, threads, device, out var backendReason);
            int phases = (parse.GetValue(cd) is null ? 0 : 1) + (parse.GetValue(pcd) is null ? 0 : 1) + (parse.GetValue(tap) is null ? 0 : 1);
            if (phases > 1) throw new CliException("choose one of --cd, --pcd and --tap.");
            NegativePhase phase;
            if (parse.GetValue(pcd) is { } pk) phase = NegativePhase.PersistentContrastiveDivergence(CommonOptions.Range("--pcd", pk, 1, 10000), CommonOptions.Range("--chains", parse.GetValue(chains), 0, 1_000_000));
            else if (parse.GetValue(tap) is { } order)
            {
                if (order is not (2 or 3)) throw new CliException($"--tap must be 2 or 3 (got {order}).");
                if (model == "grbm") throw new CliException("--tap trains Bernoulli RBMs only; use --cd or --pcd for grbm.");
                phase = NegativePhase.Tap(order);
            }
            else if (parse.GetValue(cd) is { } ck) phase = NegativePhase.ContrastiveDivergence(CommonOptions.Range("--cd", ck, 1, 10000));
            else phase = NegativePhase.PersistentContrastiveDivergence(1, CommonOptions.Range("--chains", parse.GetValue(chains), 0, 1_000_000));
            float rate = parse.GetValue(lr) ?? RbmDefaults.LearningRate(phase, gaussian: model == "grbm");
            if (!(rate > 0) || !float.IsFinite(rate)) throw new CliException($"--lr must be positive (got {rate}).");
            float mom = parse.GetValue(momentum) ?? RbmDefaults.Momentum(phase, gaussian: model == "grbm");
            if (!(mom >= 0 && mom < 1)) throw new CliException($"--momentum must be in [0, 1) (got {mom}).");
            float decay = parse.GetValue(l2);
            if (!(decay >= 0) || !float.IsFinite(decay)) throw new CliException($"--l2 must be zero or positive (got {decay}).");
            if (parse.GetValue(learnSigma) && model != "grbm") throw new CliException("--learn-sigma applies to --model grbm only.");
            var set = RbmCli.ReadData(parse, data, labels, @class, maxRows, labelColumn);
            var features = set.Features;
            if (parse.GetValue(binarize)) RbmCli.Binarize(set);
            Tensors.Matrix? valid = null;
            if (parse.GetValue(validation) is { } validPath)
            {
                if (!File.Exists(validPath)) throw new CliException($"validation file not found: {validPath}");
                var validSet = DataReader.Read(validPath);
                if (parse.GetValue(binarize)) RbmCli.Binarize(validSet);
                valid = validSet.Features;
                if (valid.Columns != features.Columns) throw new CliException($"validation rows have {valid.Columns} columns, training rows {features.Columns}.");
            }
            var options = new RbmTrainingOptions
            {
                HiddenUnits = CommonOptions.Range("--hidden", parse.GetValue(hidden), 1, 1_000_000),
                Epochs = CommonOptions.Range("--epochs", parse.GetValue(epochs), 1, 1_000_000),
                BatchSize = CommonOptions.Range("--batch", parse.GetValue(batch), 1, 1_000_000),
                LearningRate = rate,
                LearningRateSchedule = parse.GetValue(schedule) switch { "linear" => LearningRateSchedule.LinearDecay, "exponential" => LearningRateSchedule.Exponential, _ => LearningRateSchedule.Constant },
                Momentum = mom,
                L2WeightDecay = decay,
                NegativePhase = phase,
                LearnSigma = parse.GetValue(learnSigma),
                Seed = parse.GetValue(seed),
                ValidationData = valid,
                EarlyStoppingPatience = CommonOptions.Range("--patience", parse.GetValue(patience), 0, 1_000_000),
                Backend = backend,
            };
            bool asJson = parse.GetValue(json);
            var stderr = parse.InvocationConfiguration.Error;
            var history = new List<TrainingProgress>();
            RbmTrainingResult result;
            RbmBase rbm;
            using (var display = TrainingProgressDisplay.Create(asJson, stderr))
            {
                var progress = new ProgressRelay<TrainingProgress>(p => { history.Add(p); display.Report(p); });
                rbm = model == "grbm" ? RbmTrainer.CreateGaussian(features.View, options) : RbmTrainer.CreateBernoulli(features.View, options);
                if (parse.GetValue(binarize)) rbm.Annotations[RbmCli.InputBinarization] = RbmCli.ThresholdRule;
                result = RbmTrainer.Train(rbm, features.View, options, progress, cancellationToken);
            }
            TrainingPictures.Write(parse.GetValue(plots), history, "reconstruction error (mean squared)", rbm, features);

            LogPartitionEstimate? logZ = null;
            string est = parse.GetValue(estimate)!;
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
                ["negativePhase"] = phase.ToString(),
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
            else stdout.WriteLine($"trained {rbm.Kind} {rbm.Visible}x{rbm.Hidden} ({phase}) for {result.EpochsRun} epochs in {result.Seconds:F1} s on {backend.Name}; saved {outPath}"
                + (logZ is null ? "" : $"; log Z = {logZ.LogPartition.ToString("F3", CultureInfo.InvariantCulture)} ({logZ.Method})"));
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static int TrainVae(ParseResult parse, Option<string> data, Option<string?> labels, Option<int?> @class, Option<int?> maxRows, Option<string?> labelColumn,
        Option<string?> validation, Option<int> epochs, Option<int> batch, Option<float?> lr, Option<int> patience, Option<string?> latent,
        Option<string?> layers, Option<float?> beta, (Option<int?> Samples, Option<bool> Stages, Option<string?> UpperLayers, bool TwoLevel) more, Option<ulong> seed, Option<int> threads, Option<string> device, Option<string> output, Option<string?> plots,
        Option<bool> json, CancellationToken cancellationToken)
    {
        ComputeBackends.TryParse(parse.GetValue(device), out var choice);
        var backend = ComputeBackends.Create(choice, CommonOptions.Range("--threads", parse.GetValue(threads), 0, 1024), out var backendReason);
        var outPath = parse.GetValue(output)!;
        bool twoLevel = more.TwoLevel;
        var latents = Vae.VaeVerbs.ParseLayers(parse.GetValue(latent) ?? (twoLevel ? "100,50" : "20"), "--latent");
        if (latents.Length != (twoLevel ? 2 : 1))
            throw new CliException(twoLevel ? $"--latent for vae2 takes two sizes Z1,Z2, e.g. 100,50 (got '{parse.GetValue(latent)}')." : $"--latent for vae takes one size, e.g. 20 (got '{parse.GetValue(latent)}'); use --model vae2 for two levels.");
        if (!twoLevel && parse.GetValue(more.UpperLayers) is not null) throw new CliException("--upper-layers applies to --model vae2 only.");
        var options = new VaeTrainingOptions
        {
            LatentDimension = CommonOptions.Range("--latent", latents[0], 1, 100_000),
            UpperLatentDimension = twoLevel ? CommonOptions.Range("--latent", latents[1], 1, 100_000) : 0,
            EncoderLayers = Vae.VaeVerbs.ParseLayers(parse.GetValue(layers) ?? (twoLevel ? "200,200" : "400")),
            UpperLayers = parse.GetValue(more.UpperLayers) is { } upper ? Vae.VaeVerbs.ParseLayers(upper, "--upper-layers") : null,
            Beta = parse.GetValue(beta) ?? 1f,
            UpperBeta = parse.GetValue(beta) ?? 1f,
            LearningRate = parse.GetValue(lr) ?? 1e-3f,
            BatchSize = CommonOptions.Range("--batch", parse.GetValue(batch), 1, 1_000_000),
            Epochs = CommonOptions.Range("--epochs", parse.GetValue(epochs), 1, 1_000_000),
            EarlyStoppingPatience = CommonOptions.Range("--patience", parse.GetValue(patience), 0, 1_000_000),
            Seed = parse.GetValue(seed),
            ImportanceSamples = CommonOptions.Range("--iwae", parse.GetValue(more.Samples) ?? 1, 1, 10_000),
            LearningRateStages = parse.GetValue(more.Stages),
        };
        if (!(options.Beta > 0) || !float.IsFinite(options.Beta)) throw new CliException($"--beta must be positive (got {options.Beta}).");
        if (!(options.LearningRate > 0) || !float.IsFinite(options.LearningRate)) throw new CliException($"--lr must be positive (got {options.LearningRate}).");
        var set = RbmCli.ReadData(parse, data, labels, @class, maxRows, labelColumn);
        DataSet? valid = null;
        if (parse.GetValue(validation) is { } validPath)
        {
            if (!File.Exists(validPath)) throw new CliException($"validation file not found: {validPath}");
            valid = DataReader.Read(validPath);
        }
        bool asJson = parse.GetValue(json);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TrainingProgress? last = null;
        var history = new List<TrainingProgress>();
        Models.IVariationalModel vae;
        using (var display = TrainingProgressDisplay.Create(asJson, parse.InvocationConfiguration.Error))
        {
            var progress = new ProgressRelay<TrainingProgress>(p => { last = p; history.Add(p); display.Report(p); });
            vae = twoLevel
                ? Vae.VaeVerbs.TrainHierarchical(set, valid, options, backend, progress, cancellationToken)
                : Vae.VaeVerbs.Train(set, valid, options, backend, progress, cancellationToken);
        }
        TrainingPictures.Write(parse.GetValue(plots), history, "-ELBO (nats)", vae, set.Features);
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
                ["upperLatent"] = twoLevel ? latents[1] : null,
                ["importanceSamples"] = options.ImportanceSamples,
                ["epochs"] = last?.Epoch ?? 0,
                ["seconds"] = clock.Elapsed.TotalSeconds,
                ["trainingLoss"] = JsonOutput.Number(last?.TrainingLoss ?? double.NaN),
                ["validationLoss"] = JsonOutput.Number(last?.ValidationLoss ?? double.NaN),
                ["backend"] = backend.Name,
                ["backendReason"] = backendReason,
            });
        else stdout.WriteLine($"trained {(twoLevel ? "vae2" : "vae")} {vae.InputDimension}->{string.Join(",", latents)} for {last?.Epoch ?? 0} epochs in {clock.Elapsed.TotalSeconds:F1} s on {backend.Name}; saved {outPath}");
        return ExitCodes.Success;
    }
}

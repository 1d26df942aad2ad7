using System.Diagnostics;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// VAE training (Bernoulli decoder) with everything resident on a device (<see cref="IDeviceArrays"/>): the training
/// rows are uploaded once, the flat parameter vector, its gradient, the Adam moments and every layer buffer live on
/// the device; each batch is gathered there from the epoch's shuffled order, the noise is drawn there (the CPU
/// trainer's Philox streams and indexes), forward and backward passes are GEMMs plus fused kernels, and the per-row
/// losses of the whole epoch come back once per epoch. The parameters come back at the end, on divergence (the start
/// of the failing epoch) and, when there are validation rows, after each epoch (the validation F_q runs on the model).
/// It follows <see cref="VaeTrainer"/>/<see cref="VaeWorkspace.ForwardBackward"/> step for step, so on
/// <see cref="HostDeviceArrays"/> it reproduces the CPU trainer. Divergence is checked once per epoch.
/// </summary>
internal sealed class DeviceVaeSession : IDisposable
{
    private readonly IDeviceArrays _dev;
    private readonly List<DeviceArray> _owned = [];

    public DeviceVaeSession(IDeviceArrays device) => _dev = device;

    private DeviceArray Own(int length)
    {
        var a = _dev.Allocate(length);
        _owned.Add(a);
        return a;
    }

    private DeviceArray[] Own(int[] widths, int rows) => widths.Select(w => Own(rows * w)).ToArray();

    public void Dispose()
    {
        foreach (var a in _owned) a.Dispose();
        _owned.Clear();
    }

    public IReadOnlyList<TrainingProgress> Run(Vae model, MatrixView training, MatrixView? validation, VaeTrainingOptions options,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var layout = model.Layout;
        if (layout.Likelihood != VaeLikelihood.Bernoulli) throw new ArgumentException("The device-resident VAE trainer takes the Bernoulli decoder.", nameof(model));
        var dev = _dev;
        var thetaHost = model.Parameters;
        int n = training.Rows, d = layout.Input, z = layout.Latent, batch = Math.Min(options.BatchSize, n);
        int trainable = layout.TrainableCount;
        bool hasValidation = validation is { Rows: > 0 };

        var data = Own(n * d);
        dev.Upload(training.Span, data);
        var order = Own(n);
        var theta = Own(layout.Count);
        dev.Upload(thetaHost, theta);
        var grad = Own(layout.Count);
        var m1 = Own(trainable);
        var m2 = Own(trainable);
        var lastGood = Own(layout.Count);
        var x = Own(batch * d);
        var encoder = Own(layout.EncoderSizes, batch);
        var encoderGrad = Own(layout.EncoderSizes, batch);
        var decoder = Own(layout.DecoderSizes, batch);
        var decoderGrad = Own(layout.DecoderSizes, batch);
        var head = Own(batch * 2 * z);
        var headGrad = Own(batch * 2 * z);
        var eps = Own(batch * z);
        var zs = Own(batch * z);
        var zGrad = Own(batch * z);
        var output = Own(batch * d);
        var reconstruction = Own(n);
        var kl = Own(n);
        var reconHost = new float[n];
        var klHost = new float[n];
        var orderHost = new int[n];
        var patience = new ValidationPatience(options.EarlyStoppingPatience);
        long steps = 0;
        var history = new List<TrainingProgress>(options.Epochs);
        var clock = Stopwatch.StartNew();
        float invBeta = 1f / model.Beta;

        var net = new DeviceVaeNetwork(dev, layout, theta);

        void DenseBackward(DenseLayer layer, DeviceSlice input, DeviceSlice dy, int rows, DeviceSlice? inputGrad)
        {
            dev.Gemm(Transpose.Transposed, Transpose.None, layer.In, layer.Out, rows, 1f, input, layer.In, dy, layer.Out, 0f, grad.Slice(layer.WeightOffset, layer.WeightCount), layer.Out);
            dev.ColumnSums(dy, rows, layer.Out, grad.Slice(layer.BiasOffset, layer.Out));
            if (inputGrad is { } ig)
                dev.Gemm(Transpose.None, Transpose.Transposed, rows, layer.In, layer.Out, 1f, dy, layer.Out, net.Weight(layer), layer.Out, 0f, ig, layer.In);
        }

        // Backward through activated hidden layers (outputs in post, their gradients in grads, top layer first), down to
        // the stack's input (bottom) and, when wanted, its gradient.
        void StackBackward(DenseLayer[] layers, DeviceArray[] post, DeviceArray[] grads, DeviceSlice bottom, DeviceSlice? bottomGrad, int rows)
        {
            for (int i = layers.Length - 1; i >= 0; i--)
            {
                var l = layers[i];
                var g = grads[i].Slice(0, rows * l.Out);
                dev.ActivationBackward(g, post[i].Slice(0, rows * l.Out), layout.Activation);
                var lower = i > 0 ? post[i - 1].Slice(0, rows * l.In) : bottom;
                DenseBackward(l, lower, g, rows, i > 0 ? grads[i - 1].Slice(0, rows * l.In) : bottomGrad);
            }
        }

        try
        {
            for (int epoch = 0; epoch < options.Epochs; epoch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                dev.Copy(theta, lastGood);
                for (int i = 0; i < n; i++) orderHost[i] = i;
                new RandomStream(options.Seed, Philox.Stream(Vae.PurposeShuffle, (ulong)epoch)).Shuffle(orderHost);
                dev.UploadIndexes(orderHost, order);
                float warm = options.KlWarmupEpochs > 0 ? Math.Min(1f, (epoch + 1f) / options.KlWarmupEpochs) : 1f;
                float klWeight = warm * invBeta;
                int batchIndex = 0;
                for (int start = 0; start < n; start += batch, batchIndex++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int rows = Math.Min(batch, n - start);
                    var xb = x.Slice(0, rows * d);
                    dev.GatherRows(data, d, order.Slice(start, rows), rows, xb);
                    var e = eps.Slice(0, rows * z);
                    dev.Gaussian(e, options.Seed, Philox.Stream(Vae.PurposeNoise, (ulong)epoch, (ulong)batchIndex), 0);
                    // Encoder, heads, reparameterisation, decoder.
                    var hb = head.Slice(0, rows * 2 * z);
                    net.Encode(xb, rows, encoder, hb);
                    var zb = zs.Slice(0, rows * z);
                    dev.Reparameterize(hb, e, zb, rows, z);
                    var ob = output.Slice(0, rows * d);
                    net.Decode(zb, rows, decoder, ob);
                    // Loss rows (kept for the epoch) and the output gradient in place of the logits.
                    dev.BernoulliLogitLossRows(xb, ob, reconstruction.Slice(start, rows), rows, d, 1f / rows);
                    dev.KlRows(hb, kl.Slice(start, rows), rows, z, model.PriorScale);
                    // Decoder backward.
                    int nd = layout.Decoder.Length;
                    var below = nd > 0 ? decoder[nd - 1].Slice(0, rows * layout.Decoder[nd - 1].Out) : zb;
                    var belowGrad = nd > 0 ? decoderGrad[nd - 1].Slice(0, rows * layout.Decoder[nd - 1].Out) : zGrad.Slice(0, rows * z);
                    DenseBackward(layout.Output, below, ob, rows, belowGrad);
                    StackBackward(layout.Decoder, decoder, decoderGrad, zb, zGrad.Slice(0, rows * z), rows);
                    // Latent heads, then the encoder.
                    var hg = headGrad.Slice(0, rows * 2 * z);
                    dev.HeadBackward(hb, e, zGrad.Slice(0, rows * z), hg, rows, z, klWeight / rows, model.PriorScale);
                    int ne = layout.Encoder.Length;
                    below = ne > 0 ? encoder[ne - 1].Slice(0, rows * layout.Encoder[ne - 1].Out) : xb;
                    DenseBackward(layout.Head, below, hg, rows, ne > 0 ? encoderGrad[ne - 1].Slice(0, rows * layout.Encoder[ne - 1].Out) : null);
                    StackBackward(layout.Encoder, encoder, encoderGrad, xb, null, rows);
                    dev.Adam(theta.Slice(0, trainable), grad.Slice(0, trainable), m1, m2, options.LearningRate, options.AdamBeta1, options.AdamBeta2,
                        options.AdamEpsilon, ++steps, options.WeightDecay);
                }
                // The epoch's losses and one divergence scalar come back.
                dev.Download(reconstruction, reconHost);
                dev.Download(kl, klHost);
                double lossSum = 0;
                for (int r = 0; r < n; r++) lossSum += reconHost[r] + invBeta * (double)klHost[r];
                if (!double.IsFinite(lossSum)) Diverged(epoch, "loss");
                if (!(dev.MaxMagnitude(theta) < float.PositiveInfinity)) Diverged(epoch, "parameters");

                double validationLoss = double.NaN;
                if (hasValidation)
                {
                    dev.Download(theta, thetaHost);
                    validationLoss = Mean(model.FreeEnergy(validation!.Value));
                    if (!double.IsFinite(validationLoss)) Diverged(epoch, "validation free energy");
                }
                var report = new TrainingProgress(epoch + 1, options.Epochs, lossSum / n, validationLoss, double.NaN, clock.Elapsed.TotalSeconds);
                history.Add(report);
                progress?.Report(report);
                if (hasValidation && options.EarlyStoppingPatience > 0 && patience.ShouldStop(validationLoss, thetaHost)) break;
            }
        }
        catch (OperationCanceledException)
        {
            dev.Download(theta, thetaHost);
            throw;
        }
        dev.Download(theta, thetaHost);
        patience.RestoreBest(thetaHost);
        return history;

        void Diverged(int epoch, string what)
        {
            dev.Download(lastGood, thetaHost);
            VaeTrainer.ThrowDiverged(epoch, options, what);
        }
    }

    private static double Mean(float[] values)
    {
        double s = 0;
        foreach (var v in values) s += v;
        return values.Length == 0 ? double.NaN : s / values.Length;
    }
}

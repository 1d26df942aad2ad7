using System.Numerics.Tensors;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;

namespace FreeEnergy.Models;

/// <summary>
/// Preallocated buffers for up to <see cref="Capacity"/> rows and the hand-written forward and backward
/// passes over them. GEMMs go through the backend; the elementwise work runs row-parallel through
/// <see cref="IComputeBackend.For"/> with delegates created once, so a training step allocates nothing.
/// Row r of every buffer depends only on row r of the input and noise, so results do not depend on the
/// thread count (given a GEMM whose split does not change the summation order).
/// </summary>
internal sealed class VaeWorkspace
{
    /// <summary>Rows per parallel part for rows of <paramref name="width"/> values: at least ~16K values, so tiny
    /// row work (the Z-wide heads) stays on one thread instead of paying a fork/join.</summary>
    private static int Grain(int width) => Math.Max(1, 16384 / Math.Max(1, width));
    private readonly VaeLayout _layout;
    private readonly Action<int, int> _biasActivationBody, _activationBackwardBody, _headBiasBody, _reparameterizeBody,
        _lossBody, _outputBiasBody, _headBackwardBody, _noiseBody;

    // Per-call state read by the delegates.
    private IComputeBackend _backend = null!;
    private float[] _theta = null!;
    private float[] _buffer = null!, _post = null!;
    private DenseLayer _layer;
    private float[] _x = null!;
    private int _xOffset;
    private float _scale, _klWeight;
    private ulong _seed, _stream;

    public VaeWorkspace(VaeLayout layout, int capacity)
    {
        _layout = layout;
        Capacity = capacity;
        int z = layout.Latent, d = layout.Input;
        X = new float[capacity * d];
        Encoder = Allocate(layout.EncoderSizes, capacity);
        EncoderGrad = Allocate(layout.EncoderSizes, capacity);
        Head = new float[capacity * 2 * z];
        HeadGrad = new float[capacity * 2 * z];
        Eps = new float[capacity * z];
        Z = new float[capacity * z];
        ZGrad = new float[capacity * z];
        Decoder = Allocate(layout.DecoderSizes, capacity);
        DecoderGrad = Allocate(layout.DecoderSizes, capacity);
        Out = new float[capacity * d];
        Reconstruction = new double[capacity];
        Kl = new double[capacity];
        InverseVariance = new float[d];
        _biasActivationBody = BiasActivationRows;
        _activationBackwardBody = ActivationBackwardRows;
        _headBiasBody = HeadBiasRows;
        _reparameterizeBody = ReparameterizeRows;
        _lossBody = LossRows;
        _outputBiasBody = OutputBiasRows;
        _headBackwardBody = HeadBackwardRows;
        _noiseBody = NoiseRows;
    }

    public int Capacity { get; }
    /// <summary>Gathered input rows [cap, D] (training).</summary>
    public float[] X { get; }
    public float[][] Encoder { get; }
    public float[][] EncoderGrad { get; }
    /// <summary>[cap, 2Z]: per row the latent mean then the latent log variance.</summary>
    public float[] Head { get; }
    public float[] HeadGrad { get; }
    public float[] Eps { get; }
    public float[] Z { get; }
    public float[] ZGrad { get; }
    public float[][] Decoder { get; }
    public float[][] DecoderGrad { get; }
    /// <summary>[cap, D]: decoder output (logits or means); after a training step, its gradient.</summary>
    public float[] Out { get; }
    /// <summary>Per row -log p(x|z) of the last loss evaluation.</summary>
    public double[] Reconstruction { get; }
    /// <summary>Per row closed-form KL of the last training step.</summary>
    public double[] Kl { get; }
    /// <summary>e^-lv of the Gaussian decoder (refreshed by <see cref="PrepareLikelihood"/>).</summary>
    public float[] InverseVariance { get; }
    private double _logVarianceSum;

    private static float[][] Allocate(int[] sizes, int capacity)
    {
        var result = new float[sizes.Length][];
        for (int i = 0; i < sizes.Length; i++) result[i] = new float[capacity * sizes[i]];
        return result;
    }

    /// <summary>Caches e^-lv and sum lv of the Gaussian decoder from <paramref name="theta"/>.</summary>
    public void PrepareLikelihood(float[] theta)
    {
        if (_layout.Likelihood != VaeLikelihood.Gaussian) return;
        var lv = theta.AsSpan(_layout.DecoderLogVarianceOffset, _layout.Input);
        TensorPrimitives.Negate(lv, InverseVariance);
        TensorPrimitives.Exp(InverseVariance, InverseVariance);
        double s = 0;
        foreach (var v in lv) s += v;
        _logVarianceSum = s;
    }

    /// <summary>Encoder forward for <paramref name="rows"/> rows of <paramref name="x"/> starting at element <paramref name="xOffset"/>: fills the hidden layers and <see cref="Head"/>.</summary>
    public void Encode(IComputeBackend backend, float[] theta, float[] x, int xOffset, int rows)
    {
        _backend = backend; _theta = theta;
        var input = x.AsSpan(xOffset, rows * _layout.Input);
        for (int i = 0; i < _layout.Encoder.Length; i++)
        {
            Dense(_layout.Encoder[i], input, rows, Encoder[i], activated: true);
            input = Encoder[i].AsSpan(0, rows * _layout.Encoder[i].Out);
        }
        var head = _layout.Head;
        if (backend.TryGemmBias(rows, head.Out, head.In, input, theta.AsSpan(head.WeightOffset, head.WeightCount), theta.AsSpan(head.BiasOffset, head.Out), Activation.None, Head))
            return;
        backend.Gemm(Transpose.None, Transpose.None, rows, head.Out, head.In, 1f, input, head.In,
            theta.AsSpan(head.WeightOffset, head.WeightCount), head.Out, 0f, Head, head.Out);
        backend.For(rows, Grain(2 * _layout.Latent), _headBiasBody);
    }

    /// <summary>Z = mu + e^(lv/2) * Eps for the first <paramref name="rows"/> rows.</summary>
    public void Reparameterize(IComputeBackend backend, int rows) => backend.For(rows, Grain(_layout.Latent), _reparameterizeBody);

    /// <summary>Fills Eps row r with standard normals (seed, stream, index r * Z...).</summary>
    public void FillNoise(IComputeBackend backend, ulong seed, ulong stream, int rows)
    {
        _seed = seed; _stream = stream;
        backend.For(rows, Grain(8 * _layout.Latent), _noiseBody);
    }

    /// <summary>Decoder forward from <see cref="Z"/>: fills the hidden layers and <see cref="Out"/> (output bias added when <paramref name="addOutputBias"/>).</summary>
    public void Decode(IComputeBackend backend, float[] theta, int rows, bool addOutputBias)
    {
        _backend = backend; _theta = theta;
        ReadOnlySpan<float> input = Z.AsSpan(0, rows * _layout.Latent);
        for (int i = 0; i < _layout.Decoder.Length; i++)
        {
            Dense(_layout.Decoder[i], input, rows, Decoder[i], activated: true);
            input = Decoder[i].AsSpan(0, rows * _layout.Decoder[i].Out);
        }
        var output = _layout.Output;
        if (addOutputBias && backend.TryGemmBias(rows, output.Out, output.In, input, theta.AsSpan(output.WeightOffset, output.WeightCount),
                theta.AsSpan(output.BiasOffset, output.Out), Activation.None, Out))
            return;
        backend.Gemm(Transpose.None, Transpose.None, rows, output.Out, output.In, 1f, input, output.In,
            theta.AsSpan(output.WeightOffset, output.WeightCount), output.Out, 0f, Out, output.Out);
        if (addOutputBias) backend.For(rows, Grain(_layout.Input), _outputBiasBody);
    }

    /// <summary>
    /// One training evaluation on the first <paramref name="rows"/> rows of <see cref="X"/> with noise in <see cref="Eps"/>:
    /// the objective is (1/rows) sum_r [-log p(x_r|z_r) + klWeight * KL_r]; its gradient is written to
    /// <paramref name="grad"/> (length = parameter count) and per-row terms to <see cref="Reconstruction"/> and <see cref="Kl"/>.
    /// </summary>
    public void ForwardBackward(IComputeBackend backend, float[] theta, float[] grad, int rows, float klWeight)
    {
        var layout = _layout;
        PrepareLikelihood(theta);
        Encode(backend, theta, X, 0, rows);
        Reparameterize(backend, rows);
        Decode(backend, theta, rows, addOutputBias: true);
        _x = X; _xOffset = 0; _scale = 1f / rows; _klWeight = klWeight;
        backend.For(rows, Grain(_layout.Input), _lossBody);   // likelihood + its gradient in one pass; KL per row

        if (layout.Likelihood == VaeLikelihood.Gaussian)
        {
            var dlv = grad.AsSpan(layout.DecoderLogVarianceOffset, layout.Input);
            if (layout.LearnVariance) GaussianLogVarianceGradient(rows, dlv);
            else dlv.Clear();
        }

        // Decoder backward.
        int nd = layout.Decoder.Length;
        float[] upstream = Out;
        var outputLayer = layout.Output;
        float[] below = nd > 0 ? Decoder[nd - 1] : Z;
        float[] belowGrad = nd > 0 ? DecoderGrad[nd - 1] : ZGrad;
        DenseBackward(outputLayer, below, upstream, rows, grad, belowGrad);
        for (int i = nd - 1; i >= 0; i--)
        {
            ActivationBackward(Decoder[i], DecoderGrad[i], layout.Decoder[i].Out, rows);
            below = i > 0 ? Decoder[i - 1] : Z;
            var bg = i > 0 ? DecoderGrad[i - 1] : ZGrad;
            DenseBackward(layout.Decoder[i], below, DecoderGrad[i], rows, grad, bg);
        }

        // Latent heads.
        _klWeight = klWeight / rows;
        backend.For(rows, Grain(2 * _layout.Latent), _headBackwardBody);

        // Encoder backward.
        int ne = layout.Encoder.Length;
        below = ne > 0 ? Encoder[ne - 1] : X;
        DenseBackward(layout.Head, below, HeadGrad, rows, grad, ne > 0 ? EncoderGrad[ne - 1] : null);
        for (int i = ne - 1; i >= 0; i--)
        {
            ActivationBackward(Encoder[i], EncoderGrad[i], layout.Encoder[i].Out, rows);
            below = i > 0 ? Encoder[i - 1] : X;
            DenseBackward(layout.Encoder[i], below, EncoderGrad[i], rows, grad, i > 0 ? EncoderGrad[i - 1] : null);
        }
    }

    private void Dense(DenseLayer layer, ReadOnlySpan<float> input, int rows, float[] output, bool activated)
    {
        // One pass where the backend has it: the bias and activation are applied to each block of the product while it is in cache.
        if (activated && _backend.TryGemmBias(rows, layer.Out, layer.In, input, _theta.AsSpan(layer.WeightOffset, layer.WeightCount),
                _theta.AsSpan(layer.BiasOffset, layer.Out), Epilogue(_layout.Activation), output))
            return;
        _backend.Gemm(Transpose.None, Transpose.None, rows, layer.Out, layer.In, 1f, input, layer.In,
            _theta.AsSpan(layer.WeightOffset, layer.WeightCount), layer.Out, 0f, output, layer.Out);
        if (!activated) return;
        _buffer = output; _layer = layer;
        _backend.For(rows, Grain(layer.Out), _biasActivationBody);
    }

    private static Activation Epilogue(VaeActivation activation) => activation switch
    {
        VaeActivation.Relu => Activation.Relu,
        VaeActivation.Tanh => Activation.Tanh,
        _ => Activation.Softplus,
    };

    /// <summary>dW = A^T dY, db = column sums of dY, dA = dY W^T (skipped when <paramref name="inputGrad"/> is null).</summary>
    private void DenseBackward(DenseLayer layer, float[] input, float[] outputGrad, int rows, float[] grad, float[]? inputGrad)
    {
        var dy = outputGrad.AsSpan(0, rows * layer.Out);
        _backend.Gemm(Transpose.Transposed, Transpose.None, layer.In, layer.Out, rows, 1f, input.AsSpan(0, rows * layer.In), layer.In,
            dy, layer.Out, 0f, grad.AsSpan(layer.WeightOffset, layer.WeightCount), layer.Out);
        var db = grad.AsSpan(layer.BiasOffset, layer.Out);
        dy[..layer.Out].CopyTo(db);
        for (int r = 1; r < rows; r++) TensorPrimitives.Add(db, dy.Slice(r * layer.Out, layer.Out), db);
        if (inputGrad is not null)
            _backend.Gemm(Transpose.None, Transpose.Transposed, rows, layer.In, layer.Out, 1f, dy, layer.Out,
                _theta.AsSpan(layer.WeightOffset, layer.WeightCount), layer.Out, 0f, inputGrad, layer.In);
    }

    private void ActivationBackward(float[] post, float[] grad, int width, int rows)
    {
        _post = post; _buffer = grad; _layer = new DenseLayer(0, width, 0, 0, true);
        _backend.For(rows, Grain(width), _activationBackwardBody);
    }

    /// <summary>
    /// d/dlv_i of (1/B) sum_r -log p = (1/B) sum_r (1 - (x - m)^2 e^-lv) / 2. With g = (m - x) e^-lv / B already
    /// in <see cref="Out"/>, (x - m)^2 e^-lv = B^2 g^2 / e^-lv, so the sum needs only column sums of g^2.
    /// </summary>
    private void GaussianLogVarianceGradient(int rows, Span<float> dlv)
    {
        int d = _layout.Input;
        dlv.Clear();
        for (int r = 0; r < rows; r++)
        {
            var g = Out.AsSpan(r * d, d);
            for (int i = 0; i < d; i++) dlv[i] += g[i] * g[i];
        }
        float b = rows;
        for (int i = 0; i < d; i++) dlv[i] = 0.5f - 0.5f * b * dlv[i] / InverseVariance[i];
    }

    private void BiasActivationRows(int start, int end)
    {
        var layer = _layer;
        var bias = _theta.AsSpan(layer.BiasOffset, layer.Out);
        for (int r = start; r < end; r++)
            VaeKernels.BiasActivation(_buffer.AsSpan(r * layer.Out, layer.Out), bias, _layout.Activation);
    }

    private void ActivationBackwardRows(int start, int end)
    {
        int w = _layer.Out;
        for (int r = start; r < end; r++)
            VaeKernels.ActivationBackward(_buffer.AsSpan(r * w, w), _post.AsSpan(r * w, w), _layout.Activation);
    }

    private void HeadBiasRows(int start, int end)
    {
        int w = 2 * _layout.Latent;
        var bias = _theta.AsSpan(_layout.Head.BiasOffset, w);
        for (int r = start; r < end; r++)
        {
            var row = Head.AsSpan(r * w, w);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    private void ReparameterizeRows(int start, int end)
    {
        int z = _layout.Latent;
        for (int r = start; r < end; r++)
        {
            var head = Head.AsSpan(r * 2 * z, 2 * z);
            var eps = Eps.AsSpan(r * z, z);
            var zr = Z.AsSpan(r * z, z);
            for (int j = 0; j < z; j++) zr[j] = head[j] + MathF.Exp(0.5f * head[z + j]) * eps[j];
        }
    }

    private void NoiseRows(int start, int end)
    {
        int z = _layout.Latent;
        Philox.FillGaussian(_seed, _stream, (ulong)start * (ulong)z, Eps.AsSpan(start * z, (end - start) * z));
    }

    private void OutputBiasRows(int start, int end)
    {
        int d = _layout.Input;
        var bias = _theta.AsSpan(_layout.Output.BiasOffset, d);
        for (int r = start; r < end; r++)
        {
            var row = Out.AsSpan(r * d, d);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    private void LossRows(int start, int end)
    {
        int d = _layout.Input, z = _layout.Latent;
        for (int r = start; r < end; r++)
        {
            var row = Out.AsSpan(r * d, d);
            var x = _x.AsSpan(_xOffset + r * d, d);
            Reconstruction[r] = _layout.Likelihood == VaeLikelihood.Bernoulli
                ? VaeKernels.BernoulliRow(x, row, _scale)
                : VaeKernels.GaussianRow(x, row, InverseVariance, _logVarianceSum, _scale);
            var head = Head.AsSpan(r * 2 * z, 2 * z);
            Kl[r] = VaeKernels.Kl(head[..z], head[z..], _priorScale);
        }
    }

    private void HeadBackwardRows(int start, int end)
    {
        int z = _layout.Latent;
        for (int r = start; r < end; r++)
            VaeKernels.HeadBackward(Head.AsSpan(r * 2 * z, 2 * z), Eps.AsSpan(r * z, z), ZGrad.AsSpan(r * z, z),
                HeadGrad.AsSpan(r * 2 * z, 2 * z), _klWeight, _priorScale);
    }

    private float _priorScale = 1f;

    /// <summary>The prior scale r used by the KL terms.</summary>
    public float PriorScale { get => _priorScale; set => _priorScale = value; }
}

using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;
using FreeEnergy.Estimation;
using FreeEnergy.Persistence;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

namespace FreeEnergy.Models;

/// <summary>
/// A variational autoencoder (DESIGN §3 "VAE"): an encoder MLP x -&gt; (mu, log sigma^2) of q(z|x) = N(mu, diag sigma^2),
/// a decoder MLP z -&gt; Bernoulli logits or Gaussian means (with a per-dimension log variance vector), a prior
/// p(z) = N(0, r^2 I) and an inverse temperature beta on the KL term:
/// F_q(x) = -E_q[log p(x|z)] + (1/beta) KL(q(z|x) || p(z)).
/// </summary>
/// <remarks>
/// <para>The default score <see cref="FreeEnergy"/> is deterministic: for every row,
/// F(x) = (1/K) sum_k [-log p(x | z_k)] + (1/beta) KL(q(z|x) || p(z)), with z_k = mu + exp(lv/2) * eps_k where
/// eps_k are the K fixed standard-normal draws <see cref="ScoringNoise"/> ([K, Z], stored in the model file as
/// "scoring_noise"), KL is the closed form sum_j [log r - lv_j/2 + (mu_j^2 + exp(lv_j)) / (2 r^2) - 1/2], and
/// -log p(x|z) is sum_i softplus(l_i) - x_i l_i for Bernoulli logits l (softplus(l) = max(l,0) + log(1 + exp(-|l|)))
/// or sum_i [log(2 pi) + lv_i + (x_i - m_i)^2 exp(-lv_i)] / 2 for Gaussian means m and decoder log variances lv.
/// The ONNX score graph computes exactly this.</para>
/// <para>Read-only operations are safe from several threads at once; training mutates the parameters in place.</para>
/// </remarks>
public sealed partial class Vae : IVariationalModel
{
    internal const ulong PurposeInit = 1, PurposeScoringNoise = 2, PurposeShuffle = 3, PurposeNoise = 4, PurposeScore = 5, PurposeSample = 6, PurposeBinarize = 7;

    internal Vae(VaeLayout layout, float[] parameters, float[] scoringNoise, float beta, float priorScale)
    {
        layout.CheckModel(parameters, scoringNoise, "Z");
        VaeParameterLayout.CheckPositive(beta, nameof(beta), "beta");
        VaeParameterLayout.CheckPositive(priorScale, nameof(priorScale), "The prior scale");
        Layout = layout;
        Parameters = parameters;
        ScoringNoiseData = scoringNoise;
        Beta = beta;
        PriorScale = priorScale;
    }

    internal VaeLayout Layout { get; }

    /// <summary>All parameters in one flat vector (see <see cref="VaeLayout"/>); training updates it in place.</summary>
    internal float[] Parameters { get; }

    internal float[] ScoringNoiseData { get; }

    /// <summary>Creates an untrained VAE for <paramref name="inputDimension"/>-wide rows, initialised from <see cref="VaeTrainingOptions.Seed"/>.</summary>
    /// <remarks>Dense layers start PyTorch-style: weights and biases uniform in (-1/sqrt(fan_in), 1/sqrt(fan_in)), each
    /// layer from its own Philox stream; the Gaussian decoder log variance starts at <see cref="VaeTrainingOptions.InitialLogVariance"/>.</remarks>
    public static Vae Create(int inputDimension, VaeTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var layout = new VaeLayout(inputDimension, options.LatentDimension, options.EncoderLayers,
            options.DecoderLayers ?? Reversed(options.EncoderLayers), options.Activation, options.Likelihood, options.LearnVariance);
        var theta = layout.InitialParameters(options.Seed, options.InitialLogVariance);
        return new Vae(layout, theta, layout.ScoringNoise(options.Seed, options.ScoringSamples), options.Beta, options.PriorScale);
    }

    private static int[] Reversed(int[] layers)
    {
        var r = (int[])layers.Clone();
        Array.Reverse(r);
        return r;
    }

    /// <inheritdoc />
    public string Kind => ModelKinds.Vae;

    /// <inheritdoc />
    public int InputDimension => Layout.Input;

    /// <inheritdoc />
    public int EncodedDimension => Layout.Latent;

    /// <summary>The latent dimension Z.</summary>
    public int LatentDimension => Layout.Latent;

    /// <summary>Hidden layer widths of the encoder (input side first).</summary>
    public IReadOnlyList<int> EncoderLayers => Layout.EncoderSizes;

    /// <summary>Hidden layer widths of the decoder (latent side first).</summary>
    public IReadOnlyList<int> DecoderLayers => Layout.DecoderSizes;

    /// <summary>The hidden-layer activation.</summary>
    public Activation Activation => Layout.Activation;

    /// <summary>The observation model.</summary>
    public VaeLikelihood Likelihood => Layout.Likelihood;

    /// <summary>Whether the Gaussian decoder's log variance vector is trained (false for Bernoulli).</summary>
    public bool LearnVariance => Layout.LearnVariance;

    /// <summary>The inverse temperature beta: the KL term is weighted 1/beta.</summary>
    public float Beta { get; }

    /// <summary>The prior scale r: p(z) = N(0, r^2 I).</summary>
    public float PriorScale { get; }

    /// <summary>K, the number of fixed draws used by <see cref="FreeEnergy"/>.</summary>
    public int ScoringSamples => ScoringNoiseData.Length / Layout.Latent;

    /// <summary>A copy of the fixed standard-normal draws [K, Z] used by <see cref="FreeEnergy"/>.</summary>
    public Matrix ScoringNoise => new(ScoringSamples, Layout.Latent, (float[])ScoringNoiseData.Clone());

    /// <summary>The compute backend used by this model's operations. Default: <see cref="CpuBackend.Default"/>.</summary>
    public IComputeBackend Backend { get; set; } = CpuBackend.Default;

    /// <summary>Number of parameters.</summary>
    public int ParameterCount => Layout.Count;

    /// <summary>The latent mean of each row (IFreeEnergyModel.Encode).</summary>
    public Matrix Encode(MatrixView data)
    {
        var (mean, _) = EncodeDistribution(data);
        return mean;
    }

    /// <summary>The parameters of q(z|x) for each row: the latent mean and the latent log variance, both [N, Z].</summary>
    public (Matrix Mean, Matrix LogVariance) EncodeDistribution(MatrixView data)
    {
        CheckRows(data, nameof(data));
        return EncoderDecoderWorkspace.EncodeDistribution(data, OpenWorkspace);
    }

    /// <summary>Decodes the latent mean of each row: sigmoid(logits) for Bernoulli, the mean for Gaussian.</summary>
    public Matrix Reconstruct(MatrixView data) => Decode(Encode(data).View);

    /// <summary>The decoder's mean for each latent row [N, Z]: probabilities (Bernoulli) or means (Gaussian).</summary>
    public Matrix Decode(MatrixView latent) => EncoderDecoderWorkspace.Decode(latent, Layout.Latent, "latent", OpenWorkspace);

    private VaeWorkspace OpenWorkspace(int capacity) => new(Layout, Parameters, Backend, capacity);

    /// <summary>
    /// Draws <paramref name="count"/> samples from the model: z ~ N(0, (temperature * r)^2 I) from Philox
    /// (<paramref name="seed"/>), decoded to means (probabilities for Bernoulli).
    /// </summary>
    public Matrix Sample(int count, float temperature = 1f, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!(temperature >= 0) || !float.IsFinite(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), "The temperature must be finite and non-negative.");
        var z = new Matrix(count, Layout.Latent);
        Philox.FillGaussian(seed, Philox.Stream(PurposeSample), 0, z.Data);
        float s = temperature * PriorScale;
        for (int i = 0; i < z.Data.Length; i++) z.Data[i] *= s;
        return Decode(z.View);
    }

    /// <summary>
    /// The deterministic variational free energy of each row in nats (see the remarks on <see cref="Vae"/> for the exact
    /// formula): identical run to run and on any thread count for the same rows; scoring a row alone instead of inside a
    /// larger matrix can change the last bit (the GEMM may take another path for one row).
    /// </summary>
    public float[] FreeEnergy(MatrixView data)
    {
        CheckRows(data, nameof(data));
        var estimates = VaeScoring.Run(this, data, ScoringSamples, fixedNoise: ScoringNoiseData, seed: 0, Backend);
        return estimates.FreeEnergy;
    }

    /// <summary>
    /// Scores each row with <paramref name="estimator"/> using <paramref name="samples"/> fresh draws per row
    /// (Philox stream of <paramref name="seed"/> and the row index, so any thread count gives the same result).
    /// <see cref="VaeEstimator.Cumulant"/> returns the second-order estimate.
    /// </summary>
    public float[] Score(MatrixView data, VaeEstimator estimator, int samples, ulong seed = 0) => Estimate(data, samples, seed).Of(estimator);

    /// <summary>All estimators of -log p(x) per row from the same <paramref name="samples"/> draws (see <see cref="VaeEstimates"/>).</summary>
    public VaeEstimates Estimate(MatrixView data, int samples, ulong seed = 0)
    {
        CheckRows(data, nameof(data));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        return VaeScoring.Run(this, data, samples, fixedNoise: null, seed, Backend);
    }

    /// <summary>Checks width, finiteness and (Bernoulli) the [0, 1] range; a <see cref="DataFormatException"/> names the 1-based row and column.</summary>
    internal void CheckRows(MatrixView data, string what, string? source = null)
        => VaeInput.Check(data, Layout.Input, Layout.Likelihood, what, source, "VAE");
}

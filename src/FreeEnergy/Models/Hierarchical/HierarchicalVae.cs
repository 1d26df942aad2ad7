using FreeEnergy.Compute;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Compute.Random;
using FreeEnergy.Estimation;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

namespace FreeEnergy.Models;

/// <summary>
/// A two-level variational autoencoder x &lt;- z1 &lt;- z2 (DESIGN §1 and §3: each level of latent causes is the learned prior
/// of the level below): p(z2) = N(0, I), p(z1|z2) = N(m(z2), diag e^v(z2)) from the prior network, p(x|z1) Bernoulli or
/// Gaussian from the decoder, and inference q(z1|x) q(z2|z1) bottom-up, each a diagonal Gaussian from its encoder. The free
/// energy is F_q(x) = E_q[-log p(x|z1)] + (1/beta1) E_q[log q(z1|x) - log p(z1|z2)] + (1/beta2) E_q[KL(q(z2|z1) || p(z2))],
/// the middle level a Monte-Carlo log ratio and the top level's KL in closed form.
/// </summary>
/// <remarks>
/// <para>The default score <see cref="FreeEnergy"/> is deterministic: F_q averaged over the K fixed draws
/// <see cref="ScoringSamples"/> (eps1, eps2 per draw, stored in the model file as "scoring_noise" [K, Z1 + Z2]).</para>
/// <para>Trained by <see cref="HierarchicalVaeTrainer"/> on the CPU. Read-only operations are safe from several threads at once.</para>
/// </remarks>
public sealed partial class HierarchicalVae : IVariationalModel
{
    internal HierarchicalVae(HierarchicalVaeLayout layout, float[] parameters, float[] scoringNoise, float beta, float upperBeta)
    {
        layout.CheckModel(parameters, scoringNoise, "Z1 + Z2");
        VaeParameterLayout.CheckPositive(beta, nameof(beta), "beta");
        VaeParameterLayout.CheckPositive(upperBeta, nameof(upperBeta), "The upper beta");
        Layout = layout;
        Parameters = parameters;
        ScoringNoiseData = scoringNoise;
        Beta = beta;
        UpperBeta = upperBeta;
    }

    internal HierarchicalVaeLayout Layout { get; }

    /// <summary>All parameters in one flat vector (see <see cref="HierarchicalVaeLayout"/>); training updates it in place.</summary>
    internal float[] Parameters { get; }

    internal float[] ScoringNoiseData { get; }

    /// <summary>
    /// Creates an untrained two-level VAE for <paramref name="inputDimension"/>-wide rows: z1 has
    /// <see cref="VaeTrainingOptions.LatentDimension"/> and z2 <see cref="VaeTrainingOptions.UpperLatentDimension"/> dimensions.
    /// </summary>
    /// <remarks>Dense layers start as the one-level VAE's (uniform in +-1/sqrt(fan_in), each layer from its own Philox stream).</remarks>
    public static HierarchicalVae Create(int inputDimension, VaeTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.UpperLatentDimension <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), "A two-level VAE needs VaeTrainingOptions.UpperLatentDimension > 0.");
        var upper = options.UpperLayers ?? Array.ConvertAll(options.EncoderLayers, h => Math.Max(1, h / 2));
        var layout = new HierarchicalVaeLayout(inputDimension, options.LatentDimension, options.UpperLatentDimension, options.EncoderLayers, upper,
            options.Activation, options.Likelihood, options.LearnVariance);
        var theta = layout.InitialParameters(options.Seed, options.InitialLogVariance);
        return new HierarchicalVae(layout, theta, layout.ScoringNoise(options.Seed, options.ScoringSamples), options.Beta, options.UpperBeta);
    }

    /// <inheritdoc />
    public string Kind => ModelKinds.HierarchicalVae;

    /// <inheritdoc />
    public int InputDimension => Layout.Input;

    /// <inheritdoc />
    public int EncodedDimension => Layout.Latent1;

    /// <summary>Z1, the lower latent dimension.</summary>
    public int LatentDimension => Layout.Latent1;

    /// <summary>Z2, the top latent dimension.</summary>
    public int UpperLatentDimension => Layout.Latent2;

    /// <summary>Hidden widths between x and z1 (the lower encoder's, input side first; the decoder mirrors them).</summary>
    public IReadOnlyList<int> LowerLayers => Layout.LowerSizes;

    /// <summary>Hidden widths between z1 and z2 (the upper encoder's, z1 side first; the prior network mirrors them).</summary>
    public IReadOnlyList<int> UpperLayers => Layout.UpperSizes;

    /// <summary>The hidden-layer activation.</summary>
    public Activation Activation => Layout.Activation;

    /// <summary>The observation model.</summary>
    public VaeLikelihood Likelihood => Layout.Likelihood;

    /// <summary>beta1: the middle level's log ratio is weighted 1/beta1.</summary>
    public float Beta { get; }

    /// <summary>beta2: the top level's KL term is weighted 1/beta2.</summary>
    public float UpperBeta { get; }

    /// <summary>K, the number of fixed draws used by <see cref="FreeEnergy"/>.</summary>
    public int ScoringSamples => ScoringNoiseData.Length / Layout.DrawWidth;

    /// <summary>The compute backend used by this model's operations. Default: <see cref="CpuBackend.Default"/>.</summary>
    public IComputeBackend Backend { get; set; } = CpuBackend.Default;

    /// <summary>Number of parameters.</summary>
    public int ParameterCount => Layout.Count;

    /// <summary>The mean of q(z1|x) of each row.</summary>
    public Matrix Encode(MatrixView data) => EncodeDistribution(data).Mean;

    /// <summary>The parameters of q(z1|x) for each row: mean and log variance, both [N, Z1].</summary>
    public (Matrix Mean, Matrix LogVariance) EncodeDistribution(MatrixView data)
    {
        CheckRows(data, nameof(data));
        return EncoderDecoderWorkspace.EncodeDistribution(data, OpenWorkspace);
    }

    /// <summary>
    /// The mean of q(z2|x) = E_{q(z1|x)}[mu2(z1)] of each row [N, Z2], averaged over the model's fixed scoring draws of z1:
    /// the top level's code, and what <see cref="Estimation.ActiveUnits"/> counts for it.
    /// </summary>
    public Matrix EncodeUpper(MatrixView data)
    {
        CheckRows(data, nameof(data));
        var means = new Matrix(data.Rows, Layout.Latent2);
        HierarchicalVaeScoring.Run(this, data, ScoringSamples, ScoringNoiseData, seed: 0, Backend, means.Data);
        return means;
    }

    /// <summary>Decodes the mean of q(z1|x) of each row: probabilities (Bernoulli) or means (Gaussian).</summary>
    public Matrix Reconstruct(MatrixView data) => Decode(Encode(data).View);

    /// <summary>The decoder's mean for each z1 row [N, Z1]: probabilities (Bernoulli) or means (Gaussian).</summary>
    public Matrix Decode(MatrixView latent) => EncoderDecoderWorkspace.Decode(latent, Layout.Latent1, "z1", OpenWorkspace);

    private HierarchicalVaeWorkspace OpenWorkspace(int capacity) => new(Layout, Parameters, Backend, capacity);

    /// <summary>The deterministic free energy F_q of each row in nats over the model's fixed draws (see the remarks).</summary>
    public float[] FreeEnergy(MatrixView data)
    {
        CheckRows(data, nameof(data));
        return HierarchicalVaeScoring.Run(this, data, ScoringSamples, ScoringNoiseData, seed: 0, Backend).FreeEnergy;
    }

    /// <summary>
    /// All estimators of -log p(x) per row from the same <paramref name="samples"/> fresh draws (Philox stream of
    /// <paramref name="seed"/> and the row index): F_q, IWAE and the cumulant estimates (see <see cref="VaeEstimates"/>).
    /// </summary>
    public VaeEstimates Estimate(MatrixView data, int samples, ulong seed = 0)
    {
        CheckRows(data, nameof(data));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        return HierarchicalVaeScoring.Run(this, data, samples, fixedNoise: null, seed, Backend);
    }

    /// <summary>One estimator's column of <see cref="Estimate"/> (<see cref="VaeEstimator.Cumulant"/>: the second-order estimate).</summary>
    public float[] Score(MatrixView data, VaeEstimator estimator, int samples, ulong seed = 0) => Estimate(data, samples, seed).Of(estimator);

    /// <summary>Checks width, finiteness and (Bernoulli) the [0, 1] range as <see cref="Vae"/> does.</summary>
    internal void CheckRows(MatrixView data, string what, string? source = null)
        => VaeInput.Check(data, Layout.Input, Layout.Likelihood, what, source, "two-level VAE");
}

using System.Globalization;
using FreeEnergy.Compute.Random;
using FreeEnergy.Persistence;
using FreeEnergy.Tensors;

namespace FreeEnergy.Tests.Vae;

/// <summary>
/// Probabilistic PCA as a VAE: linear Gaussian decoder x = z W + b + noise (W [Z, D], noise variances s2),
/// prior N(0, r^2 I), and a linear encoder set to the mean-field optimum (exact posterior mean, variances 1/P_jj of
/// the posterior precision P = I / r^2 + W diag(1/s2) W^T). The marginal is x ~ N(b, r^2 W^T W + diag(s2)).
/// </summary>
internal sealed class PpcaOracle
{
    public int D { get; }
    public int Z { get; }
    public double[,] W { get; }
    public double[] B { get; }
    public double[] S2 { get; }
    public double R { get; }

    public PpcaOracle(int d, int z, double r, ulong seed)
    {
        D = d; Z = z; R = r;
        var random = new RandomStream(seed, 77);
        W = new double[z, d];
        B = new double[d];
        S2 = new double[d];
        for (int j = 0; j < z; j++) for (int i = 0; i < d; i++) W[j, i] = random.NextGaussian();
        for (int i = 0; i < d; i++) { B[i] = random.NextGaussian(); S2[i] = 0.3 + random.NextFloat(); }
    }

    /// <summary>Rows drawn from the model.</summary>
    public Matrix Sample(int n, ulong seed)
    {
        var random = new RandomStream(seed, 78);
        var m = new Matrix(n, D);
        for (int r = 0; r < n; r++)
        {
            var zr = new double[Z];
            for (int j = 0; j < Z; j++) zr[j] = R * random.NextGaussian();
            for (int i = 0; i < D; i++)
            {
                double v = B[i] + Math.Sqrt(S2[i]) * random.NextGaussian();
                for (int j = 0; j < Z; j++) v += zr[j] * W[j, i];
                m[r, i] = (float)v;
            }
        }
        return m;
    }

    /// <summary>Exact -log p(x) by a Cholesky factorisation of C = r^2 W^T W + diag(s2).</summary>
    public double NegativeLogLikelihood(ReadOnlySpan<float> x)
    {
        var c = new double[D, D];
        for (int a = 0; a < D; a++)
            for (int b = 0; b < D; b++)
            {
                double s = a == b ? S2[a] : 0;
                for (int j = 0; j < Z; j++) s += R * R * W[j, a] * W[j, b];
                c[a, b] = s;
            }
        return GaussianNegativeLogDensity(x, B, c);
    }

    /// <summary>-log N(x; mean, covariance) by a Cholesky factorisation.</summary>
    public static double GaussianNegativeLogDensity(ReadOnlySpan<float> x, double[] mean, double[,] covariance)
    {
        int d = mean.Length;
        var l = Cholesky(covariance, d);
        // Solve L y = x - mean; quadratic form = |y|^2.
        var y = new double[d];
        double quad = 0, logDet = 0;
        for (int i = 0; i < d; i++)
        {
            double s = x[i] - mean[i];
            for (int k = 0; k < i; k++) s -= l[i, k] * y[k];
            y[i] = s / l[i, i];
            quad += y[i] * y[i];
            logDet += 2 * Math.Log(l[i, i]);
        }
        return 0.5 * (d * Math.Log(2 * Math.PI) + logDet + quad);
    }

    /// <summary>The posterior precision P [Z, Z].</summary>
    public double[,] PosteriorPrecision()
    {
        var p = new double[Z, Z];
        for (int a = 0; a < Z; a++)
            for (int b = 0; b < Z; b++)
            {
                double s = a == b ? 1 / (R * R) : 0;
                for (int i = 0; i < D; i++) s += W[a, i] * W[b, i] / S2[i];
                p[a, b] = s;
            }
        return p;
    }

    /// <summary>The model document of the VAE described above.</summary>
    public ModelDocument Document(int scoringSamples, double posteriorVarianceScale = 1)
    {
        var p = PosteriorPrecision();
        var pInv = Inverse(p, Z);
        // mean = (x - b) diag(1/s2) W^T P^-1 -> weight [D, Z] = diag(1/s2) W^T P^-1, bias = -b weight.
        var meanW = new float[D * Z];
        var meanB = new float[Z];
        for (int i = 0; i < D; i++)
            for (int j = 0; j < Z; j++)
            {
                double s = 0;
                for (int k = 0; k < Z; k++) s += W[k, i] / S2[i] * pInv[k, j];
                meanW[i * Z + j] = (float)s;
            }
        for (int j = 0; j < Z; j++)
        {
            double s = 0;
            for (int i = 0; i < D; i++) s -= B[i] * meanW[i * Z + j];
            meanB[j] = (float)s;
        }
        var lvB = new float[Z];
        for (int j = 0; j < Z; j++) lvB[j] = (float)Math.Log(posteriorVarianceScale / p[j, j]);
        var outW = new float[Z * D];
        for (int j = 0; j < Z; j++) for (int i = 0; i < D; i++) outW[j * D + i] = (float)W[j, i];
        var noise = new float[scoringSamples * Z];
        Philox.FillGaussian(123, 5, 0, noise);
        var c = CultureInfo.InvariantCulture;
        var hp = new Dictionary<string, string>
        {
            ["input"] = D.ToString(c), ["latent"] = Z.ToString(c), ["encoder_layers"] = "", ["decoder_layers"] = "",
            ["activation"] = "tanh", ["likelihood"] = "gaussian", ["beta"] = "1", ["prior_scale"] = R.ToString("R", c),
            ["scoring_samples"] = scoringSamples.ToString(c),
        };
        var tensors = new List<NamedTensor>
        {
            new("encoder.mean.weight", [D, Z], meanW),
            new("encoder.mean.bias", [Z], meanB),
            new("encoder.log_variance.weight", [D, Z], new float[D * Z]),
            new("encoder.log_variance.bias", [Z], lvB),
            new("decoder.output.weight", [Z, D], outW),
            new("decoder.output.bias", [D], Array.ConvertAll(B, v => (float)v)),
            new("decoder.log_variance", [D], Array.ConvertAll(S2, v => (float)Math.Log(v))),
            new("scoring_noise", [scoringSamples, Z], noise),
        };
        return new ModelDocument("vae", hp, tensors);
    }

    private static double[,] Cholesky(double[,] a, int n)
    {
        var l = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = a[i, j];
                for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                l[i, j] = i == j ? Math.Sqrt(s) : s / l[j, j];
            }
        return l;
    }

    private static double[,] Inverse(double[,] a, int n)
    {
        var m = (double[,])a.Clone();
        var inv = new double[n, n];
        for (int i = 0; i < n; i++) inv[i, i] = 1;
        for (int c = 0; c < n; c++)
        {
            double pivot = m[c, c];
            for (int k = 0; k < n; k++) { m[c, k] /= pivot; inv[c, k] /= pivot; }
            for (int r = 0; r < n; r++)
            {
                if (r == c) continue;
                double f = m[r, c];
                for (int k = 0; k < n; k++) { m[r, k] -= f * m[c, k]; inv[r, k] -= f * inv[c, k]; }
            }
        }
        return inv;
    }
}

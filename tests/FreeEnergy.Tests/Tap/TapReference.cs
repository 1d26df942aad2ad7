namespace FreeEnergy.Tests.Tap;

/// <summary>A small Bernoulli RBM for the TAP tests, with independent double-precision references.</summary>
internal sealed class TapModel
{
    public TapModel(int visible, int hidden)
    {
        Visible = visible;
        Hidden = hidden;
        Weights = new float[visible * hidden];
        VisibleBias = new float[visible];
        HiddenBias = new float[hidden];
        Rbm = new FreeEnergy.Models.BernoulliRbm(visible, hidden, Weights, VisibleBias, HiddenBias);
    }

    /// <summary>The model as the library's Bernoulli RBM (sharing these arrays).</summary>
    public FreeEnergy.Models.BernoulliRbm Rbm { get; }

    public int Visible { get; }
    public int Hidden { get; }
    public float[] Weights { get; }
    public float[] VisibleBias { get; }
    public float[] HiddenBias { get; }

    /// <summary>W ~ N(0, weightScale^2), biases ~ N(0, biasScale^2).</summary>
    public static TapModel Random(int visible, int hidden, double weightScale, double biasScale, int seed)
    {
        var model = new TapModel(visible, hidden);
        var random = new System.Random(seed);
        for (int k = 0; k < model.Weights.Length; k++) model.Weights[k] = (float)(weightScale * Gaussian(random));
        for (int i = 0; i < visible; i++) model.VisibleBias[i] = (float)(biasScale * Gaussian(random));
        for (int j = 0; j < hidden; j++) model.HiddenBias[j] = (float)(biasScale * Gaussian(random));
        return model;
    }

    public TapModel WithWeightsScaled(float factor)
    {
        var model = new TapModel(Visible, Hidden);
        for (int k = 0; k < Weights.Length; k++) model.Weights[k] = Weights[k] * factor;
        VisibleBias.CopyTo(model.VisibleBias, 0);
        HiddenBias.CopyTo(model.HiddenBias, 0);
        return model;
    }

    public static double Gaussian(System.Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Uniform magnetisations in [low, high].</summary>
    public static float[] RandomMagnetizations(int count, double low, double high, int seed)
    {
        var random = new System.Random(seed);
        var m = new float[count];
        for (int k = 0; k < m.Length; k++) m[k] = (float)(low + (high - low) * random.NextDouble());
        return m;
    }

    /// <summary>Exact ln Z by enumerating the visible layer (2^D states), in double.</summary>
    public double ExactLogPartition()
    {
        if (Visible > 20) throw new InvalidOperationException("Too many visible units to enumerate.");
        int states = 1 << Visible;
        var terms = new double[states];
        for (int s = 0; s < states; s++)
        {
            double value = 0;
            for (int i = 0; i < Visible; i++) if ((s >> i & 1) != 0) value += VisibleBias[i];
            for (int j = 0; j < Hidden; j++)
            {
                double x = HiddenBias[j];
                for (int i = 0; i < Visible; i++) if ((s >> i & 1) != 0) x += Weights[i * Hidden + j];
                value += Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
            }
            terms[s] = value;
        }
        double max = terms.Max();
        double sum = 0;
        foreach (double t in terms) sum += Math.Exp(t - max);
        return max + Math.Log(sum);
    }

    /// <summary>-beta G of one row, written directly from its definition (independent of the library).</summary>
    public double NegativeGibbsReference(ReadOnlySpan<float> mv, ReadOnlySpan<float> mh, int order)
    {
        static double H(double m) => -(m * Math.Log(m) + (1 - m) * Math.Log(1 - m));
        double g = 0;
        for (int i = 0; i < Visible; i++) g += H(mv[i]) + VisibleBias[i] * (double)mv[i];
        for (int j = 0; j < Hidden; j++) g += H(mh[j]) + HiddenBias[j] * (double)mh[j];
        for (int i = 0; i < Visible; i++)
            for (int j = 0; j < Hidden; j++)
            {
                double w = Weights[i * Hidden + j], a = mv[i], b = mh[j];
                g += w * a * b + 0.5 * w * w * (a - a * a) * (b - b * b);
                if (order == 3) g += 2.0 / 3.0 * w * w * w * (a - a * a) * (0.5 - a) * (b - b * b) * (0.5 - b);
            }
        return g;
    }
}

/// <summary>Exact model expectations by enumeration (the true gradient of ln Z).</summary>
internal static class TapExact
{
    /// <summary>d ln Z / dW = &lt;v h^T&gt;, d ln Z / da = &lt;v&gt;, d ln Z / db = &lt;h&gt; under the model, in double.</summary>
    public static (double[] Weights, double[] Visible, double[] Hidden) Expectations(TapModel model)
    {
        int d = model.Visible, h = model.Hidden, states = 1 << d;
        var logWeight = new double[states];
        for (int s = 0; s < states; s++)
        {
            double value = 0;
            for (int i = 0; i < d; i++) if ((s >> i & 1) != 0) value += model.VisibleBias[i];
            for (int j = 0; j < h; j++)
            {
                double x = model.HiddenBias[j];
                for (int i = 0; i < d; i++) if ((s >> i & 1) != 0) x += model.Weights[i * h + j];
                value += Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
            }
            logWeight[s] = value;
        }
        double max = logWeight.Max(), total = 0;
        foreach (double t in logWeight) total += Math.Exp(t - max);
        var w = new double[d * h];
        var a = new double[d];
        var b = new double[h];
        for (int s = 0; s < states; s++)
        {
            double p = Math.Exp(logWeight[s] - max) / total;
            for (int j = 0; j < h; j++)
            {
                double x = model.HiddenBias[j];
                for (int i = 0; i < d; i++) if ((s >> i & 1) != 0) x += model.Weights[i * h + j];
                double ph = 1 / (1 + Math.Exp(-x));
                b[j] += p * ph;
                for (int i = 0; i < d; i++) if ((s >> i & 1) != 0) w[i * h + j] += p * ph;
            }
            for (int i = 0; i < d; i++) if ((s >> i & 1) != 0) a[i] += p;
        }
        return (w, a, b);
    }
}

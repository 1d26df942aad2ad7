using System.Globalization;
using FreeEnergy.Persistence;
using static FreeEnergy.Onnx.Tests.Reference.ReferenceMath;

namespace FreeEnergy.Onnx.Tests.Reference;

/// <summary>
/// A straightforward double-precision VAE written from DESIGN §3, layer sizes taken from the hyperparameters:
/// encoder, decoder, reconstruction at the latent mean and the deterministic F_q with the stored scoring noise.
/// </summary>
internal sealed class ReferenceVae
{
    private readonly ModelDocument _doc;
    private readonly int _d, _z, _k;
    private readonly List<(float[] W, float[] B)> _encoder = new(), _decoder = new();
    private readonly (float[] W, float[] B) _mean, _logVar, _output;
    private readonly float[] _noise;
    private readonly float[]? _decoderLogVar;
    private readonly string _activation;
    private readonly bool _gaussian;
    private readonly double _beta, _r;

    public ReferenceVae(ModelDocument document)
    {
        _doc = document;
        _d = Int("input");
        _z = Int("latent");
        _activation = document.Hyperparameter("activation");
        _gaussian = document.Hyperparameter("likelihood") == "gaussian";
        _beta = double.Parse(document.Hyperparameter("beta"), CultureInfo.InvariantCulture);
        _r = double.Parse(document.Hyperparameter("prior_scale"), CultureInfo.InvariantCulture);
        _k = Int("scoring_samples");
        int width = _d;
        var enc = Layers("encoder_layers");
        for (int i = 0; i < enc.Length; i++) { _encoder.Add(Layer($"encoder.{i}", width, enc[i])); width = enc[i]; }
        _mean = Layer("encoder.mean", width, _z);
        _logVar = Layer("encoder.log_variance", width, _z);
        width = _z;
        var dec = Layers("decoder_layers");
        for (int i = 0; i < dec.Length; i++) { _decoder.Add(Layer($"decoder.{i}", width, dec[i])); width = dec[i]; }
        _output = Layer("decoder.output", width, _d);
        _noise = document.Tensor("scoring_noise", _k, _z);
        if (_gaussian) _decoderLogVar = document.Tensor("decoder.log_variance", _d);
    }

    private int Int(string name) => int.Parse(_doc.Hyperparameter(name), CultureInfo.InvariantCulture);

    private int[] Layers(string name)
    {
        var text = _doc.Hyperparameter(name);
        return text.Length == 0 ? Array.Empty<int>() : text.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    }

    private (float[], float[]) Layer(string prefix, int inputs, int outputs)
        => (_doc.Tensor(prefix + ".weight", inputs, outputs), _doc.Tensor(prefix + ".bias", outputs));

    private double Activate(double x) => _activation switch
    {
        "relu" => Math.Max(0, x),
        "tanh" => Math.Tanh(x),
        "softplus" => Softplus(x),
        _ => throw new InvalidOperationException(_activation),
    };

    private double[] Decode(double[] z)
    {
        var h = z;
        foreach (var (w, b) in _decoder) h = Dense(h, w, b).Select(Activate).ToArray();
        return Dense(h, _output.W, _output.B);
    }

    public Dictionary<string, double[]> Evaluate(float[] x, int rows)
    {
        var mean = new double[rows * _z];
        var logVar = new double[rows * _z];
        var reconstruction = new double[rows * _d];
        var freeEnergy = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            var xr = ToDouble(x.AsSpan(r * _d, _d));
            var h = xr;
            foreach (var (w, b) in _encoder) h = Dense(h, w, b).Select(Activate).ToArray();
            var mu = Dense(h, _mean.W, _mean.B);
            var lv = Dense(h, _logVar.W, _logVar.B);
            mu.CopyTo(mean, r * _z);
            lv.CopyTo(logVar, r * _z);

            var top = Decode(mu);
            for (int i = 0; i < _d; i++) reconstruction[r * _d + i] = _gaussian ? top[i] : Sigmoid(top[i]);

            double negativeLogLikelihood = 0;
            for (int k = 0; k < _k; k++)
            {
                var z = new double[_z];
                for (int j = 0; j < _z; j++) z[j] = mu[j] + Math.Exp(lv[j] / 2) * _noise[k * _z + j];
                var o = Decode(z);
                double logP = 0;
                for (int i = 0; i < _d; i++)
                {
                    if (_gaussian)
                    {
                        double dv = _decoderLogVar![i], e = xr[i] - o[i];
                        logP -= 0.5 * (Math.Log(2 * Math.PI) + dv + e * e * Math.Exp(-dv));
                    }
                    else logP += xr[i] * o[i] - Softplus(o[i]);
                }
                negativeLogLikelihood -= logP / _k;
            }
            double kl = 0;
            for (int j = 0; j < _z; j++)
            {
                double s = Math.Exp(lv[j] / 2);
                kl += Math.Log(_r / s) + (mu[j] * mu[j] + s * s) / (2 * _r * _r) - 0.5;
            }
            freeEnergy[r] = negativeLogLikelihood + kl / _beta;
        }
        return new Dictionary<string, double[]>
        {
            [OnnxNames.LatentMean] = mean,
            [OnnxNames.LatentLogVariance] = logVar,
            [OnnxNames.Reconstruction] = reconstruction,
            [OnnxNames.FreeEnergy] = freeEnergy,
        };
    }
}

using FreeEnergy.Models;
using FreeEnergy.Persistence;
using static FreeEnergy.Onnx.Tests.Reference.ReferenceMath;

namespace FreeEnergy.Onnx.Tests.Reference;

/// <summary>
/// A straightforward double-precision RBM written from DESIGN §3 (Bernoulli and Gaussian-Bernoulli), the
/// independent oracle for the exported graphs: every output of the "all" graph for each row.
/// </summary>
internal sealed class ReferenceRbm
{
    private readonly bool _gaussian;
    private readonly int _d, _h;
    private readonly float[] _w, _a, _b;
    private readonly float[]? _sigma;
    private readonly double? _logZ;

    public ReferenceRbm(ModelDocument document)
    {
        _gaussian = document.Kind == ModelKinds.GaussianRbm;
        _d = int.Parse(document.Hyperparameter("visible"), System.Globalization.CultureInfo.InvariantCulture);
        _h = int.Parse(document.Hyperparameter("hidden"), System.Globalization.CultureInfo.InvariantCulture);
        _w = document.Tensor("weights", _d, _h);
        _a = document.Tensor("visible_bias", _d);
        _b = document.Tensor("hidden_bias", _h);
        if (_gaussian) _sigma = document.Tensor("visible_sigma", _d);
        if (document.Hyperparameters.TryGetValue("log_partition", out var z)) _logZ = double.Parse(z, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Outputs by name, each row-major over the <paramref name="rows"/> rows of <paramref name="x"/>.</summary>
    public Dictionary<string, double[]> Evaluate(float[] x, int rows)
    {
        var hidden = new double[rows * _h];
        var reconstruction = new double[rows * _d];
        var freeEnergy = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            var v = ToDouble(x.AsSpan(r * _d, _d));
            var u = (double[])v.Clone();
            if (_gaussian) for (int i = 0; i < _d; i++) u[i] = v[i] / _sigma![i];
            var pre = Dense(u, _w, _b);
            double f = 0;
            for (int j = 0; j < _h; j++)
            {
                hidden[r * _h + j] = Sigmoid(pre[j]);
                f -= Softplus(pre[j]);
            }
            for (int i = 0; i < _d; i++)
            {
                double t = 0;
                for (int j = 0; j < _h; j++) t += _w[i * _h + j] * hidden[r * _h + j];
                if (_gaussian)
                {
                    reconstruction[r * _d + i] = _a[i] + _sigma![i] * t;
                    double s = (v[i] - _a[i]) / _sigma[i];
                    f += 0.5 * s * s;
                }
                else
                {
                    reconstruction[r * _d + i] = Sigmoid(_a[i] + t);
                    f -= _a[i] * v[i];
                }
            }
            freeEnergy[r] = f;
        }
        var outputs = new Dictionary<string, double[]>
        {
            [OnnxNames.Hidden] = hidden,
            [OnnxNames.Reconstruction] = reconstruction,
            [OnnxNames.FreeEnergy] = freeEnergy,
        };
        if (_logZ is double logZ) outputs[OnnxNames.NegativeLogLikelihood] = freeEnergy.Select(f => f + logZ).ToArray();
        return outputs;
    }
}

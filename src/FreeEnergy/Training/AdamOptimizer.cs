using System.Numerics;
using FreeEnergy.Compute;

namespace FreeEnergy.Training;

/// <summary>
/// Adam (Kingma &amp; Ba) on a flat parameter vector, with PyTorch's conventions: L2 weight decay added to the
/// gradient, bias-corrected step lr / (1 - b1^t) and denominator sqrt(v) / sqrt(1 - b2^t) + eps.
/// Elementwise and range-parallel, so the result does not depend on the thread count.
/// </summary>
internal sealed class AdamOptimizer
{
    private readonly float[] _m, _v;
    private readonly float _lr, _b1, _b2, _eps, _decay;
    private readonly Action<int, int> _body;
    private float[] _theta = null!, _grad = null!;
    private float _stepSize, _invBias2Sqrt;
    private const int Grain = 4096;

    public AdamOptimizer(int count, float learningRate, float beta1, float beta2, float epsilon, float weightDecay)
    {
        _m = new float[count];
        _v = new float[count];
        _lr = learningRate; _b1 = beta1; _b2 = beta2; _eps = epsilon; _decay = weightDecay;
        _body = Update;
    }

    public long Steps { get; private set; }

    /// <summary>One Adam step on theta[0, count) with gradient grad[0, count), at <paramref name="learningRate"/> when given (a schedule) or the constructor's rate.</summary>
    public void Step(IComputeBackend backend, float[] theta, float[] grad, float? learningRate = null)
    {
        Steps++;
        _theta = theta; _grad = grad;
        _stepSize = (float)((learningRate ?? _lr) / (1 - Math.Pow(_b1, Steps)));
        _invBias2Sqrt = (float)(1 / Math.Sqrt(1 - Math.Pow(_b2, Steps)));
        int blocks = (_m.Length + Grain - 1) / Grain;
        backend.For(blocks, 1, _body);
    }

    private void Update(int startBlock, int endBlock)
    {
        int start = startBlock * Grain, end = Math.Min(_m.Length, endBlock * Grain);
        var theta = _theta.AsSpan(start, end - start);
        var grad = _grad.AsSpan(start, end - start);
        var m = _m.AsSpan(start, end - start);
        var v = _v.AsSpan(start, end - start);
        int i = 0, w = Vector<float>.Count;
        var b1 = new Vector<float>(_b1); var c1 = new Vector<float>(1 - _b1);
        var b2 = new Vector<float>(_b2); var c2 = new Vector<float>(1 - _b2);
        var decay = new Vector<float>(_decay); var step = new Vector<float>(_stepSize);
        var inv2 = new Vector<float>(_invBias2Sqrt); var eps = new Vector<float>(_eps);
        for (; i <= theta.Length - w; i += w)
        {
            var p = new Vector<float>(theta[i..]);
            var g = new Vector<float>(grad[i..]) + decay * p;
            var mv = b1 * new Vector<float>(m[i..]) + c1 * g;
            var vv = b2 * new Vector<float>(v[i..]) + c2 * g * g;
            mv.CopyTo(m[i..]);
            vv.CopyTo(v[i..]);
            (p - step * mv / (Vector.SquareRoot(vv) * inv2 + eps)).CopyTo(theta[i..]);
        }
        for (; i < theta.Length; i++)
        {
            float g = grad[i] + _decay * theta[i];
            m[i] = _b1 * m[i] + (1 - _b1) * g;
            v[i] = _b2 * v[i] + (1 - _b2) * g * g;
            theta[i] -= _stepSize * m[i] / (MathF.Sqrt(v[i]) * _invBias2Sqrt + _eps);
        }
    }
}

using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using FreeEnergy.Compute;
using FreeEnergy.Tensors;

namespace FreeEnergy.Estimation;

/// <summary>
/// Pooled powers of W, bias copies and scratch for the damped TAP fixed-point updates of up to a given number of
/// rows. The elementwise work is split over rows with <see cref="IComputeBackend.For"/>; rows are independent, so
/// results do not depend on the thread count.
/// </summary>
internal sealed class TapWorkspace : IDisposable
{
    /// <summary>Aim for at least this many elements per parallel part of the elementwise passes.</summary>
    internal const int ElementsPerPart = 4096;

    private readonly int _visible, _hidden, _rows, _order;
    private PooledBuffer _w2, _w3, _visibleBias, _hiddenBias, _field, _second, _third, _c, _q;

    public TapWorkspace(ReadOnlySpan<float> weights, ReadOnlySpan<float> visibleBias, ReadOnlySpan<float> hiddenBias,
        int visible, int hidden, int rows, int order)
    {
        TapExpansion.CheckOrder(order);
        _visible = visible; _hidden = hidden; _rows = rows; _order = order;
        int size = visible * hidden, wide = rows * Math.Max(visible, hidden);
        var w = weights[..size];
        _w2 = new PooledBuffer(size);
        TensorPrimitives.Multiply(w, w, _w2.Span);
        _w3 = new PooledBuffer(order == 3 ? size : 0);
        if (order == 3) TensorPrimitives.Multiply(_w2.Span, w, _w3.Span);
        _visibleBias = new PooledBuffer(visible);
        visibleBias[..visible].CopyTo(_visibleBias.Span);
        _hiddenBias = new PooledBuffer(hidden);
        hiddenBias[..hidden].CopyTo(_hiddenBias.Span);
        _field = new PooledBuffer(wide);
        _second = new PooledBuffer(wide);
        _third = new PooledBuffer(order == 3 ? wide : 0);
        _c = new PooledBuffer(wide);
        _q = new PooledBuffer(order == 3 ? wide : 0);
    }

    /// <summary>m^h &lt;- damping m^h + (1 - damping) sigm(field(m^v, m^h)) for the first <paramref name="rows"/> rows.</summary>
    public void UpdateHidden(ReadOnlySpan<float> weights, float[] visibleMagnetization, float[] hiddenMagnetization, int rows,
        float damping, IComputeBackend backend, float[]? change, bool clamp = true)
        => Update(weights, _hiddenBias.Array, visibleMagnetization, hiddenMagnetization, targetIsHidden: true, rows, damping, backend, change, clamp);

    /// <summary>m^v &lt;- damping m^v + (1 - damping) sigm(field(m^h, m^v)) for the first <paramref name="rows"/> rows.</summary>
    public void UpdateVisible(ReadOnlySpan<float> weights, float[] hiddenMagnetization, float[] visibleMagnetization, int rows,
        float damping, IComputeBackend backend, float[]? change, bool clamp = true)
        => Update(weights, _visibleBias.Array, hiddenMagnetization, visibleMagnetization, targetIsHidden: false, rows, damping, backend, change, clamp);

    /// <summary>
    /// target &lt;- damping * target + (1 - damping) * sigm(field), the field computed from source and the old target
    /// (clamped to [eps, 1 - eps] when <paramref name="clamp"/>). When <paramref name="change"/> is given,
    /// change[r] = max(change[r], max |new - old|) over row r.
    /// </summary>
    private void Update(ReadOnlySpan<float> weights, float[] bias, float[] source, float[] target, bool targetIsHidden, int rows,
        float damping, IComputeBackend backend, float[]? change, bool clamp)
    {
        if (rows > _rows) throw new ArgumentOutOfRangeException(nameof(rows));
        if (rows == 0) return;
        int ns = targetIsHidden ? _visible : _hidden;
        int nt = targetIsHidden ? _hidden : _visible;
        int order = _order;
        float[] c = _c.Array, q = _q.Array, field = _field.Array, second = _second.Array, third = _third.Array;

        backend.For(rows, Math.Max(1, ElementsPerPart / ns), (start, end) =>
        {
            var m = source.AsSpan(start * ns, (end - start) * ns);
            var cs = c.AsSpan(start * ns, m.Length);
            TapExpansion.Variance(m, cs);
            if (order == 3) TapExpansion.Skewness(m, cs, q.AsSpan(start * ns, m.Length));
        });

        var w = weights[..(_visible * _hidden)];
        Product(backend, targetIsHidden, rows, _visible, _hidden, source.AsSpan(0, rows * ns), w, field.AsSpan(0, rows * nt));
        Product(backend, targetIsHidden, rows, _visible, _hidden, c.AsSpan(0, rows * ns), _w2.Span, second.AsSpan(0, rows * nt));
        if (order == 3)
            Product(backend, targetIsHidden, rows, _visible, _hidden, q.AsSpan(0, rows * ns), _w3.Span, third.AsSpan(0, rows * nt));

        float keep = damping, take = 1f - damping;
        backend.For(rows, Math.Max(1, ElementsPerPart / nt), (start, end) =>
        {
            var b = bias.AsSpan(0, nt);
            for (int r = start; r < end; r++)
            {
                var m = target.AsSpan(r * nt, nt);
                var f = field.AsSpan(r * nt, nt);
                Field(f, b, m, second.AsSpan(r * nt, nt), order == 3 ? third.AsSpan(r * nt, nt) : default);
                TensorPrimitives.Sigmoid(f, f);
                float largest = Damp(m, f, keep, take, clamp);
                if (change is not null) change[r] = MathF.Max(change[r], largest);
            }
        });
    }

    /// <summary>
    /// f += b + (1/2 - m) s2 [+ (1/3 - 2 c(m)) s3, when s3 is not empty]: the field of the fixed-point equations from
    /// the products (each element with the same rounded operations in vector lanes and the scalar tail).
    /// </summary>
    private static void Field(Span<float> f, ReadOnlySpan<float> b, ReadOnlySpan<float> m, ReadOnlySpan<float> s2, ReadOnlySpan<float> s3)
    {
        int n = f.Length, j = 0;
        bool third = !s3.IsEmpty;
        if (Vector256.IsHardwareAccelerated)
        {
            var half = Vector256.Create(0.5f);
            var oneThird = Vector256.Create(1f / 3f);
            var two = Vector256.Create(2f);
            for (; j + 8 <= n; j += 8)
            {
                var mj = Vector256.Create(m.Slice(j, 8));
                var fj = Vector256.Create(f.Slice(j, 8)) + (Vector256.Create(b.Slice(j, 8)) + (half - mj) * Vector256.Create(s2.Slice(j, 8)));
                // d/dm [2/3 c(m)(1/2 - m)] = 2/3 (1/2 - 3m + 3m^2) = 1/3 - 2 c(m)
                if (third) fj += (oneThird - two * (mj - mj * mj)) * Vector256.Create(s3.Slice(j, 8));
                fj.CopyTo(f.Slice(j, 8));
            }
        }
        for (; j < n; j++)
        {
            float mj = m[j];
            f[j] += b[j] + (0.5f - mj) * s2[j];
            if (third) f[j] += (1f / 3f - 2f * (mj - mj * mj)) * s3[j];
        }
    }

    /// <summary>
    /// m &lt;- keep m + take s (clamped to [eps, 1 - eps] when <paramref name="clamp"/>); returns the largest |new - old|
    /// (NaN when a new value is NaN).
    /// </summary>
    private static float Damp(Span<float> m, ReadOnlySpan<float> s, float keep, float take, bool clamp)
    {
        int n = m.Length, j = 0;
        float largest = 0f;
        bool nan = false;
        if (Vector256.IsHardwareAccelerated)
        {
            var vk = Vector256.Create(keep);
            var vt = Vector256.Create(take);
            var lo = Vector256.Create(TapExpansion.Epsilon);
            var hi = Vector256.Create(1f - TapExpansion.Epsilon);
            var most = Vector256<float>.Zero;
            var ordered = Vector256<float>.AllBitsSet;
            for (; j + 8 <= n; j += 8)
            {
                var old = Vector256.Create(m.Slice(j, 8));
                var updated = vk * old + vt * Vector256.Create(s.Slice(j, 8));
                var number = Vector256.Equals(updated, updated);
                ordered &= number;
                if (clamp) updated = Vector256.ConditionalSelect(number, Vector256.Min(Vector256.Max(updated, lo), hi), updated); // NaN stays NaN, as with Math.Clamp
                most = Vector256.Max(most, Vector256.Abs(updated - old));
                updated.CopyTo(m.Slice(j, 8));
            }
            for (int k = 0; k < 8; k++) largest = MathF.Max(largest, most.GetElement(k));
            nan = !Vector256.EqualsAll(ordered.AsInt32(), Vector256<int>.AllBitsSet);
        }
        for (; j < n; j++)
        {
            float old = m[j];
            float updated = keep * old + take * s[j];
            if (clamp) updated = Math.Clamp(updated, TapExpansion.Epsilon, 1f - TapExpansion.Epsilon);
            largest = MathF.Max(largest, MathF.Abs(updated - old));
            m[j] = updated;
        }
        return nan ? float.NaN : largest;
    }

    /// <summary>result = source * M (hidden target) or source * M^T (visible target), M visible x hidden.</summary>
    private static void Product(IComputeBackend backend, bool targetIsHidden, int rows, int visible, int hidden,
        ReadOnlySpan<float> source, ReadOnlySpan<float> matrix, Span<float> result)
    {
        if (targetIsHidden)
            backend.Gemm(Transpose.None, Transpose.None, rows, hidden, visible, 1f, source, visible, matrix, hidden, 0f, result, hidden);
        else
            backend.Gemm(Transpose.None, Transpose.Transposed, rows, visible, hidden, 1f, source, hidden, matrix, hidden, 0f, result, visible);
    }

    public void Dispose()
    {
        _w2.Dispose(); _w3.Dispose(); _visibleBias.Dispose(); _hiddenBias.Dispose();
        _field.Dispose(); _second.Dispose(); _third.Dispose(); _c.Dispose(); _q.Dispose();
    }
}

using System.Numerics.Tensors;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Device;

namespace FreeEnergy.Training;

/// <summary>
/// TAP (EMF) training on the device (DESIGN.md section 3), step for step as <see cref="RbmTrainingSession"/>'s TapStep
/// with <see cref="Estimation.TapExpansion.Iterate"/> and <see cref="Estimation.TapExpansion.Gradient"/>: persistent
/// magnetisations, per batch the powers W^2 (and W^3 at third order), the damped fixed-point iterations (three
/// products and one <see cref="Estimation.ITapDeviceOps.TapUpdate"/> per layer), then the negative phase from the moment products
/// straight into the weight velocity.
/// </summary>
internal sealed partial class DeviceRbmSession
{
    private readonly TapBuffers? _tap;

    /// <summary>The persistent magnetisations and the scratch of the TAP iterations and gradient (third-order parts only at order 3).</summary>
    private sealed class TapBuffers
    {
        public readonly DeviceArray MagV, MagH, VarV, VarH, Square, First, Second, Field, FieldSecond;
        public readonly DeviceArray? SkewV, SkewH, Cube, Third, FieldThird;

        public TapBuffers(DeviceRbmSession s)
        {
            int c = s._chains, d = s._d, h = s._h, wide = c * Math.Max(d, h), size = d * h;
            bool third = s._phase.Order == 3;
            MagV = s.Own(c * d); MagH = s.Own(c * h);
            VarV = s.Own(c * d); VarH = s.Own(c * h);
            Square = s.Own(size); First = s.Own(size); Second = s.Own(size);
            Field = s.Own(wide); FieldSecond = s.Own(wide);
            if (third)
            {
                SkewV = s.Own(c * d); SkewH = s.Own(c * h);
                Cube = s.Own(size); Third = s.Own(size); FieldThird = s.Own(wide);
            }
        }
    }

    private void TapStep(int n, float lr)
    {
        var t = _tap!;
        var dev = _dev;
        int c = _chains, d = _d, h = _h;
        if (!_chainsReady)
        {
            InitialiseMagnetizations(t);
            _chainsReady = true;
        }
        DeviceSlice mv = t.MagV, mh = t.MagH, cv = t.VarV, ch = t.VarH;
        DeviceSlice? qv = Optional(t.SkewV), qh = Optional(t.SkewH), cube = Optional(t.Cube);
        dev.TapPowers(_w, t.Square, cube);
        float damping = _phase.Damping;
        for (int iteration = 0; iteration < _phase.Iterations; iteration++)
        {
            // Hidden from visible, then visible from the new hidden (TapWorkspace.UpdateHidden / UpdateVisible).
            var field = t.Field.Slice(0, c * h);
            var second = t.FieldSecond.Slice(0, c * h);
            DeviceSlice? third = t.FieldThird?.Slice(0, c * h);
            dev.TapMoments(mv, cv, qv);
            dev.Gemm(Transpose.None, Transpose.None, c, h, d, 1f, mv, d, _w, h, 0f, field, h);
            dev.Gemm(Transpose.None, Transpose.None, c, h, d, 1f, cv, d, t.Square, h, 0f, second, h);
            if (third is { } th) dev.Gemm(Transpose.None, Transpose.None, c, h, d, 1f, qv!.Value, d, cube!.Value, h, 0f, th, h);
            dev.TapUpdate(field, second, third, _b, mh, c, h, damping);

            field = t.Field.Slice(0, c * d);
            second = t.FieldSecond.Slice(0, c * d);
            third = t.FieldThird?.Slice(0, c * d);
            dev.TapMoments(mh, ch, qh);
            dev.Gemm(Transpose.None, Transpose.Transposed, c, d, h, 1f, mh, h, _w, h, 0f, field, d);
            dev.Gemm(Transpose.None, Transpose.Transposed, c, d, h, 1f, ch, h, t.Square, h, 0f, second, d);
            if (third is { } tv) dev.Gemm(Transpose.None, Transpose.Transposed, c, d, h, 1f, qh!.Value, h, cube!.Value, h, 0f, tv, d);
            dev.TapUpdate(field, second, third, _a, mv, c, d, damping);
        }

        // Negative phase at the fixed point (TapExpansion.Gradient): mean m^v m^h^T, mean c(m^v) c(m^h)^T, 2 mean q(m^v) q(m^h)^T.
        float scale = 1f / c;
        dev.Gemm(Transpose.Transposed, Transpose.None, d, h, c, scale, mv, d, mh, h, 0f, t.First, h);
        dev.TapMoments(mv, cv, qv);
        dev.TapMoments(mh, ch, qh);
        dev.Gemm(Transpose.Transposed, Transpose.None, d, h, c, scale, cv, d, ch, h, 0f, t.Second, h);
        if (t.Third is { } g3) dev.Gemm(Transpose.Transposed, Transpose.None, d, h, c, 2f * scale, qv!.Value, d, qh!.Value, h, 0f, g3, h);

        // Bias gradients (to minimise): mean magnetisation - mean positive statistic.
        dev.ColumnMeanDifference(_x.Slice(0, n * d), n, mv, c, d, _gradA);
        dev.ColumnMeanDifference(_p.Slice(0, n * h), n, mh, c, h, _gradB);
        // velW = momentum velW + (lr / n) X^T P (positive phase) - lr (TAP negative phase); then decay and W += velW.
        dev.Gemm(Transpose.Transposed, Transpose.None, d, h, n, lr * (1f / n), _x, d, _p, h, _o.Momentum, _velW, h);
        dev.TapWeightVelocity(_w, t.First, t.Second, Optional(t.Third), _velW, -lr);
        dev.WeightStep(_w, _velW, _o.L2WeightDecay * lr, _o.L1WeightDecay * lr);
        dev.Momentum(_a, _gradA, _velA, lr, _o.Momentum, 0f);
        dev.Momentum(_b, _gradB, _velB, lr, _o.Momentum, 0f);
    }

    /// <summary>The whole array, or none (a null array must not reach the implicit conversion to a slice).</summary>
    private static DeviceSlice? Optional(DeviceArray? array) => array is { } a ? new DeviceSlice(a, 0, a.Length) : null;

    /// <summary>The magnetisations start at data rows (row r % N of the first shuffled order) clamped to [1e-3, 1 - 1e-3], and their hidden means, as on the CPU.</summary>
    private void InitialiseMagnetizations(TapBuffers t)
    {
        int c = _chains, d = _d, h = _h, rows = _data.Rows;
        var start = new float[c * d];
        for (int r = 0; r < c; r++)
            TensorPrimitives.Clamp(_data.Row(_orderHost[r % rows]), 1e-3f, 1f - 1e-3f, start.AsSpan(r * d, d));
        _dev.Upload(start, t.MagV);
        _dev.Gemm(Transpose.None, Transpose.None, c, h, d, 1f, t.MagV, d, _w, h, 0f, t.MagH, h);
        _dev.BiasSigmoid(t.MagH, _b, t.MagH, c, h);
    }
}

using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using FreeEnergy.Compute;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Estimation;

/// <summary>
/// The Thouless-Anderson-Palmer (TAP, "extended mean field") expansion of the Gibbs free energy of a Bernoulli
/// RBM (Gabrie, Tramel and Krzakala 2015), at beta = 1. Parameters: weights W [visible, hidden] row-major,
/// visible bias a [visible], hidden bias b [hidden]. Magnetisations are batched: m^v is rows x visible and
/// m^h rows x hidden, both row-major, values in (0, 1). With S(m) = -sum [m ln m + (1 - m) ln(1 - m)] and
/// c(m) = m - m^2,
/// <code>
/// -G(m^v, m^h) = S(m^v) + S(m^h) + a.m^v + b.m^h + m^v^T W m^h + 1/2 sum_ij W_ij^2 c(m^v_i) c(m^h_j)
///              [+ 2/3 sum_ij W_ij^3 c(m^v_i)(1/2 - m^v_i) c(m^h_j)(1/2 - m^h_j)]   (third order)
/// </code>
/// Setting d(-G)/dm = 0 (with dS/dm = -logit(m), dc/dm = 1 - 2m and d[c(m)(1/2 - m)]/dm = 1/2 - 3m + 3m^2)
/// gives the fixed-point equations iterated by <see cref="Iterate"/>:
/// <code>
/// m^h_j = sigm(b_j + sum_i W_ij m^v_i + (1/2 - m^h_j) sum_i W_ij^2 c(m^v_i)
///              [+ (1/3 - 2 c(m^h_j)) sum_i W_ij^3 c(m^v_i)(1/2 - m^v_i)])
/// m^v_i = sigm(a_i + sum_j W_ij m^h_j + (1/2 - m^v_i) sum_j W_ij^2 c(m^h_j)
///              [+ (1/3 - 2 c(m^v_i)) sum_j W_ij^3 c(m^h_j)(1/2 - m^h_j)])
/// </code>
/// (2/3 (1/2 - 3m + 3m^2) = 1/3 - 2c(m).) The second-order form is the one of the EMF-RBM paper. Some public
/// EMF-RBM codes use other third-order updates (e.g. a source factor m^2 (1 - m) in place of c(m)(1/2 - m)); those
/// are not stationary points of the -G above, and the tests check that ours are.
/// </summary>
public static class TapExpansion
{
    /// <summary>Magnetisations are kept in [Epsilon, 1 - Epsilon] by <see cref="Iterate"/>.</summary>
    internal const float Epsilon = 1e-6f;

    /// <summary>Most fixed-point iterations <see cref="LogPartition"/> runs from each starting point.</summary>
    internal const int LogPartitionMaxIterations = 500;

    /// <summary>A starting point of <see cref="LogPartition"/> counts as converged when no magnetisation moves more than this in one iteration.</summary>
    internal const float LogPartitionTolerance = 1e-6f;

    /// <summary>Number of seeded uniform-random starting points <see cref="LogPartition"/> adds when no initial rows are given.</summary>
    internal const int LogPartitionRandomStarts = 8;

    /// <summary>Seed of the random starting points of <see cref="LogPartition"/> (fixed: the estimate is deterministic).</summary>
    internal const ulong LogPartitionSeed = 0x7A9E5EEDUL;

    /// <summary>
    /// Runs <see cref="TapSettings.Iterations"/> damped fixed-point iterations in place. Each iteration updates
    /// the hidden magnetisations from the visible ones, then the visible ones from the new hidden ones:
    /// m &lt;- Damping * m_old + (1 - Damping) * sigm(field(m)), where the self-coupling terms of the field use
    /// m_old. Results are clamped to [1e-6, 1 - 1e-6]. Rows are independent; the result does not depend on the
    /// backend's thread count. Inputs may be binary (e.g. data as the visible starting point). The starting hidden
    /// magnetisations enter through the damping and the self-coupling terms, so a fresh start should set them
    /// sensibly (e.g. m^h = sigm(b + m^v W)); persistent magnetisations are simply passed back in.
    /// </summary>
    /// <param name="model">The Bernoulli RBM (W, a, b).</param>
    /// <param name="magnetizations">m^v and m^h of each row.</param>
    /// <param name="settings">Order, iteration count and damping.</param>
    /// <param name="backend">Compute backend for the matrix products (default: the model's).</param>
    /// <exception cref="ArgumentException">A span is shorter than its shape requires.</exception>
    public static void Iterate(BernoulliRbm model, TapMagnetizations magnetizations, TapSettings settings, IComputeBackend? backend = null)
    {
        var (visible, hidden, rows) = Shape(model, magnetizations);
        ReadOnlySpan<float> weights = model.Weights, visibleBias = model.VisibleBias, hiddenBias = model.HiddenBias;
        Span<float> visibleMagnetization = magnetizations.Visible, hiddenMagnetization = magnetizations.Hidden;
        ArgumentNullException.ThrowIfNull(settings);
        backend ??= model.Backend;
        if (rows == 0) return;
        using var work = new TapWorkspace(weights, visibleBias, hiddenBias, visible, hidden, rows, settings.Order);
        using var mvBuffer = new PooledBuffer(rows * visible);
        using var mhBuffer = new PooledBuffer(rows * hidden);
        var mv = visibleMagnetization[..(rows * visible)];
        var mh = hiddenMagnetization[..(rows * hidden)];
        mv.CopyTo(mvBuffer.Span);
        mh.CopyTo(mhBuffer.Span);
        for (int iteration = 0; iteration < settings.Iterations; iteration++)
        {
            work.UpdateHidden(weights, mvBuffer.Array, mhBuffer.Array, rows, settings.Damping, backend, null);
            work.UpdateVisible(weights, mhBuffer.Array, mvBuffer.Array, rows, settings.Damping, backend, null);
        }
        mvBuffer.Span.CopyTo(mv);
        mhBuffer.Span.CopyTo(mh);
    }

    /// <summary>
    /// Evaluates -beta G(m^v, m^h) (beta = 1) of each row in double precision: the TAP estimate of ln Z when the
    /// magnetisations are at a fixed point. Entropy terms use 0 ln 0 = 0; a magnetisation outside [0, 1] gives NaN.
    /// Cost: rows x visible x hidden multiply-adds in double (meant for estimates and monitoring, not inner loops).
    /// </summary>
    /// <param name="model">The Bernoulli RBM (W, a, b).</param>
    /// <param name="magnetizations">m^v and m^h of each row.</param>
    /// <param name="order">Expansion order, 2 or 3.</param>
    /// <param name="result">Receives -G of each row (length at least the number of rows).</param>
    /// <exception cref="ArgumentException">A span is shorter than its shape requires.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="order"/> is not 2 or 3.</exception>
    public static void NegativeBetaGibbs(BernoulliRbm model, TapMagnetizations magnetizations, int order, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(magnetizations);
        NegativeBetaGibbs(model.Weights, model.VisibleBias, model.HiddenBias, model.Visible, model.Hidden,
            magnetizations.Visible, magnetizations.Hidden, magnetizations.Rows, order, result);
    }

    /// <summary>-beta G of each row (see the public overload), with the parameters as spans.</summary>
    internal static void NegativeBetaGibbs(ReadOnlySpan<float> weights, ReadOnlySpan<float> visibleBias, ReadOnlySpan<float> hiddenBias,
        int visible, int hidden, ReadOnlySpan<float> visibleMagnetization, ReadOnlySpan<float> hiddenMagnetization, int rows,
        int order, Span<double> result)
    {
        CheckOrder(order);
        CheckMagnetizations(visibleMagnetization.Length, hiddenMagnetization.Length, visible, hidden, rows);
        if (result.Length < rows) throw new ArgumentException($"The result has {result.Length} entries; {rows} rows need {rows}.", nameof(result));
        if (rows == 0) return;

        // Per row: the hidden magnetisation m, c(m) and c(m)(1/2 - m) in double; a double copy of one weight row.
        int n = rows * hidden;
        double[] hm = ArrayPool<double>.Shared.Rent(n), hc = ArrayPool<double>.Shared.Rent(n), hq = ArrayPool<double>.Shared.Rent(n);
        double[] wRow = ArrayPool<double>.Shared.Rent(hidden);
        try
        {
            for (int r = 0; r < rows; r++)
            {
                double sum = 0;
                var mhRow = hiddenMagnetization.Slice(r * hidden, hidden);
                for (int j = 0; j < hidden; j++)
                {
                    double m = mhRow[j], c = m - m * m;
                    hm[r * hidden + j] = m;
                    hc[r * hidden + j] = c;
                    hq[r * hidden + j] = c * (0.5 - m);
                    sum += Entropy(m) + hiddenBias[j] * m;
                }
                var mvRow = visibleMagnetization.Slice(r * visible, visible);
                for (int i = 0; i < visible; i++)
                {
                    double m = mvRow[i];
                    sum += Entropy(m) + visibleBias[i] * m;
                }
                result[r] = sum;
            }

            // Coupling terms, looping over weight rows outermost so each is converted to double once.
            for (int i = 0; i < visible; i++)
            {
                var w = weights.Slice(i * hidden, hidden);
                for (int j = 0; j < hidden; j++) wRow[j] = w[j];
                for (int r = 0; r < rows; r++)
                {
                    double mv = visibleMagnetization[r * visible + i];
                    double cv = mv - mv * mv;
                    double halfC = 0.5 * cv;
                    double twoThirdsQ = 2.0 / 3.0 * cv * (0.5 - mv);
                    result[r] += CouplingRow(wRow.AsSpan(0, hidden), hm.AsSpan(r * hidden, hidden), hc.AsSpan(r * hidden, hidden),
                        hq.AsSpan(r * hidden, hidden), mv, halfC, order == 3 ? twoThirdsQ : 0.0, order == 3);
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(hm);
            ArrayPool<double>.Shared.Return(hc);
            ArrayPool<double>.Shared.Return(hq);
            ArrayPool<double>.Shared.Return(wRow);
        }
    }

    /// <summary>
    /// The derivative of -beta G with respect to the parameters at fixed magnetisations, averaged over rows. By the
    /// envelope theorem this is the derivative of the TAP ln Z when the magnetisations are at a fixed point, i.e. the
    /// negative phase of EMF training. Second order: dW_ij = mean[m^v_i m^h_j + W_ij c(m^v_i) c(m^h_j)]; third order
    /// adds mean[2 W_ij^2 c(m^v_i)(1/2 - m^v_i) c(m^h_j)(1/2 - m^h_j)]; da = mean m^v; db = mean m^h.
    /// The gradients are written (overwritten), not accumulated.
    /// </summary>
    /// <param name="model">The Bernoulli RBM (W, a, b).</param>
    /// <param name="magnetizations">m^v and m^h of each row.</param>
    /// <param name="order">Expansion order, 2 or 3.</param>
    /// <param name="weightGradient">Receives d(-G)/dW, visible x hidden.</param>
    /// <param name="visibleBiasGradient">Receives d(-G)/da, length visible.</param>
    /// <param name="hiddenBiasGradient">Receives d(-G)/db, length hidden.</param>
    /// <param name="backend">Compute backend for the matrix products (default: the model's).</param>
    /// <exception cref="ArgumentException">A span is shorter than its shape requires.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="order"/> is not 2 or 3, or the magnetisations have no rows.</exception>
    public static void Gradient(BernoulliRbm model, TapMagnetizations magnetizations, int order,
        Span<float> weightGradient, Span<float> visibleBiasGradient, Span<float> hiddenBiasGradient, IComputeBackend? backend = null)
    {
        var (visible, hidden, rows) = Shape(model, magnetizations);
        ReadOnlySpan<float> weights = model.Weights, visibleBias = model.VisibleBias, hiddenBias = model.HiddenBias;
        Span<float> visibleMagnetization = magnetizations.Visible, hiddenMagnetization = magnetizations.Hidden;
        backend ??= model.Backend;
        CheckOrder(order);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        int size = visible * hidden;
        if (weightGradient.Length < size) throw new ArgumentException($"The weight gradient has {weightGradient.Length} entries; {visible} x {hidden} weights need {size}.", nameof(weightGradient));
        if (visibleBiasGradient.Length < visible) throw new ArgumentException($"The visible bias gradient has {visibleBiasGradient.Length} entries; {visible} are needed.", nameof(visibleBiasGradient));
        if (hiddenBiasGradient.Length < hidden) throw new ArgumentException($"The hidden bias gradient has {hiddenBiasGradient.Length} entries; {hidden} are needed.", nameof(hiddenBiasGradient));

        var w = weights[..size];
        var mv = visibleMagnetization[..(rows * visible)];
        var mh = hiddenMagnetization[..(rows * hidden)];
        var dw = weightGradient[..size];
        float scale = 1f / rows;

        // mean m^v_i m^h_j
        backend.Gemm(Transpose.Transposed, Transpose.None, visible, hidden, rows, scale, mv, visible, mh, hidden, 0f, dw, hidden);

        using var cv = new PooledBuffer(rows * visible);
        using var ch = new PooledBuffer(rows * hidden);
        using var product = new PooledBuffer(size);
        Variance(mv, cv.Span);
        Variance(mh, ch.Span);
        // + W .* mean c(m^v_i) c(m^h_j)
        backend.Gemm(Transpose.Transposed, Transpose.None, visible, hidden, rows, scale, cv.Span, visible, ch.Span, hidden, 0f, product.Span, hidden);
        TensorPrimitives.MultiplyAdd(product.Span, w, dw, dw);
        if (order == 3)
        {
            // + 2 W^2 .* mean c(m^v_i)(1/2 - m^v_i) c(m^h_j)(1/2 - m^h_j)
            Skewness(mv, cv.Span, cv.Span);
            Skewness(mh, ch.Span, ch.Span);
            backend.Gemm(Transpose.Transposed, Transpose.None, visible, hidden, rows, 2f * scale, cv.Span, visible, ch.Span, hidden, 0f, product.Span, hidden);
            var p = product.Span;
            int k = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; k + 8 <= size; k += 8)
                {
                    var wk = Vector256.Create(w.Slice(k, 8));
                    (Vector256.Create(dw.Slice(k, 8)) + wk * wk * Vector256.Create(p.Slice(k, 8))).CopyTo(dw.Slice(k, 8));
                }
            for (; k < size; k++) dw[k] += w[k] * w[k] * p[k];
        }

        ColumnMeans(mv, rows, visible, visibleBiasGradient[..visible]);
        ColumnMeans(mh, rows, hidden, hiddenBiasGradient[..hidden]);
    }

    /// <summary>
    /// The TAP estimate of ln Z: the largest value of -beta G over the fixed points reached from a set of starting
    /// points. Starting points: the rows of <paramref name="initialVisible"/> when given (e.g. a few hundred data
    /// rows), plus m^v = sigm(a); without initial rows, also m^v = 1/2 and 8 seeded uniform-random points (the
    /// estimate is deterministic). Each start sets m^h = sigm(b + m^v W) and runs damped iterations (damping
    /// max(<see cref="TapSettings.Damping"/>, 0.5), order <see cref="TapSettings.Order"/>) until no magnetisation
    /// moves more than 1e-6 in an iteration, at most 500 iterations (<see cref="TapSettings.Iterations"/> is not
    /// used). Converged starts leave the batch; after 50 iterations only the 16 unconverged starts with the largest
    /// current -G continue. The maximum is taken over converged starts (over the remaining ones if none converged).
    /// Cost grows with the number of starts: pass at most a few hundred initial rows.
    /// Taking the largest fixed point rather than summing over them is the usual TAP choice: ln Z is the maximum
    /// of the exact -beta G over magnetisations, so the largest fixed point is the best single-state estimate. When
    /// several distinct states carry comparable weight a sum over them would be larger (by at most the log of their
    /// number). The estimate is accurate for weak couplings (error of the order of the first neglected term, W^3 at
    /// order 2 and W^4 at order 3) and degrades, in either direction, as the couplings grow.
    /// </summary>
    /// <param name="model">The Bernoulli RBM (W, a, b).</param>
    /// <param name="settings">Order and damping.</param>
    /// <param name="backend">Compute backend for the matrix products (default: the model's).</param>
    /// <param name="initialVisible">Optional starting visible magnetisations, <paramref name="initialRows"/> x visible, values in [0, 1].</param>
    /// <param name="initialRows">Number of rows in <paramref name="initialVisible"/> (0: none).</param>
    /// <returns>The TAP estimate of ln Z in nats (finite).</returns>
    /// <exception cref="ArgumentException">A span is shorter than its shape requires.</exception>
    /// <exception cref="FreeEnergyException">A parameter is NaN or infinite.</exception>
    public static double LogPartition(BernoulliRbm model, TapSettings settings, IComputeBackend? backend = null, ReadOnlySpan<float> initialVisible = default, int initialRows = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ReadOnlySpan<float> weights = model.Weights, visibleBias = model.VisibleBias, hiddenBias = model.HiddenBias;
        int visible = model.Visible, hidden = model.Hidden;
        ArgumentNullException.ThrowIfNull(settings);
        backend ??= model.Backend;
        ArgumentOutOfRangeException.ThrowIfNegative(initialRows);
        if (initialVisible.Length < (long)initialRows * visible)
            throw new ArgumentException($"The initial visible magnetisations have {initialVisible.Length} values; {initialRows} rows of {visible} need {(long)initialRows * visible}.", nameof(initialVisible));
        CheckFinite(weights[..(visible * hidden)], "weights");
        CheckFinite(visibleBias[..visible], "visible bias");
        CheckFinite(hiddenBias[..hidden], "hidden bias");

        int rows = initialRows > 0 ? initialRows + 1 : 2 + LogPartitionRandomStarts;
        using var mvBuffer = new PooledBuffer(rows * visible);
        using var mhBuffer = new PooledBuffer(rows * hidden);
        var mv = mvBuffer.Span;
        var mh = mhBuffer.Span;
        var a = visibleBias[..visible];
        if (initialRows > 0)
        {
            initialVisible[..(initialRows * visible)].CopyTo(mv);
            for (int k = 0; k < initialRows * visible; k++)
            {
                float m = mv[k];
                if (!(m >= 0f && m <= 1f))
                    throw new ArgumentException($"Initial visible magnetisation {m} at row {k / visible}, column {k % visible} is outside [0, 1].", nameof(initialVisible));
            }
            Compute.Cpu.Activations.Sigmoid(a, mv.Slice(initialRows * visible, visible));
        }
        else
        {
            Compute.Cpu.Activations.Sigmoid(a, mv[..visible]);
            mv.Slice(visible, visible).Fill(0.5f);
            var random = mv[(2 * visible)..];
            Philox.FillUniform(LogPartitionSeed, Philox.Stream(0x7A9UL), 0, random);
        }
        Clamp(mv);

        // m^h = sigm(b + m^v W)
        backend.Gemm(Transpose.None, Transpose.None, rows, hidden, visible, 1f, mv, visible, weights[..(visible * hidden)], hidden, 0f, mh, hidden);
        for (int r = 0; r < rows; r++)
        {
            var row = mh.Slice(r * hidden, hidden);
            TensorPrimitives.Add(row, hiddenBias[..hidden], row);
            Compute.Cpu.Activations.Sigmoid(row, row);
        }
        Clamp(mh);

        float damping = Math.Max(settings.Damping, 0.5f);
        var status = Converge(model, mv, mh, rows, settings.Order, damping, backend);

        var values = new double[rows];
        NegativeBetaGibbs(weights, visibleBias, hiddenBias, visible, hidden, mv, mh, rows, settings.Order, values);
        double best = double.NegativeInfinity, bestAny = double.NegativeInfinity;
        for (int r = 0; r < rows; r++)
        {
            if (!double.IsFinite(values[r])) continue;
            if (status[r] == StartStatus.Dropped) continue;
            bestAny = Math.Max(bestAny, values[r]);
            if (status[r] == StartStatus.Converged) best = Math.Max(best, values[r]);
        }
        if (double.IsNegativeInfinity(best)) best = bestAny;
        if (!double.IsFinite(best))
            throw new FreeEnergyException("The TAP estimate of the log-partition function is not finite; the model parameters are too large for the expansion.");
        return best;
    }

    /// <summary>Outcome of one starting point of <see cref="Converge"/>.</summary>
    internal enum StartStatus : byte
    {
        /// <summary>Still moving after the iteration limit.</summary>
        Unconverged = 0,

        /// <summary>Reached a fixed point (no magnetisation moved more than the tolerance in one iteration).</summary>
        Converged = 1,

        /// <summary>Abandoned after <see cref="LogPartitionPruneAfter"/> iterations because many better candidates remained.</summary>
        Dropped = 2,
    }

    /// <summary>Iterations after which <see cref="Converge"/> keeps only the <see cref="LogPartitionKeptCandidates"/> best unconverged starts.</summary>
    internal const int LogPartitionPruneAfter = 50;

    /// <summary>Unconverged starts kept after <see cref="LogPartitionPruneAfter"/> iterations (those with the largest -G).</summary>
    internal const int LogPartitionKeptCandidates = 16;

    /// <summary>
    /// Iterates every row to a fixed point (damped, in place) and reports each row's status. Converged rows are taken
    /// out of the batch (the rest is compacted), so the cost falls as rows converge; after
    /// <see cref="LogPartitionPruneAfter"/> iterations only the <see cref="LogPartitionKeptCandidates"/> unconverged rows
    /// with the largest current -G go on, the others are marked <see cref="StartStatus.Dropped"/>.
    /// </summary>
    internal static StartStatus[] Converge(BernoulliRbm model, Span<float> mv, Span<float> mh, int rows, int order, float damping, IComputeBackend backend,
        int maxIterations = LogPartitionMaxIterations, float tolerance = LogPartitionTolerance)
    {
        ReadOnlySpan<float> weights = model.Weights, visibleBias = model.VisibleBias, hiddenBias = model.HiddenBias;
        int visible = model.Visible, hidden = model.Hidden;
        var status = new StartStatus[rows];
        if (rows == 0) return status;
        var index = new int[rows];
        for (int r = 0; r < rows; r++) index[r] = r;
        var change = new float[rows];
        using var activeV = new PooledBuffer(rows * visible);
        using var activeH = new PooledBuffer(rows * hidden);
        var av = activeV.Span;
        var ah = activeH.Span;
        mv[..(rows * visible)].CopyTo(av);
        mh[..(rows * hidden)].CopyTo(ah);
        int active = rows;
        using (var work = new TapWorkspace(weights, visibleBias, hiddenBias, visible, hidden, rows, order))
        {
            for (int iteration = 0; iteration < maxIterations && active > 0; iteration++)
            {
                Array.Clear(change, 0, active);
                work.UpdateHidden(weights, activeV.Array, activeH.Array, active, damping, backend, change);
                work.UpdateVisible(weights, activeH.Array, activeV.Array, active, damping, backend, change);

                bool prune = iteration + 1 == LogPartitionPruneAfter && active > LogPartitionKeptCandidates;
                double threshold = double.NegativeInfinity;
                double[]? values = null;
                if (prune)
                {
                    values = new double[active];
                    NegativeBetaGibbs(weights, visibleBias, hiddenBias, visible, hidden, av, ah, active, order, values);
                    var sorted = (double[])values.Clone();
                    for (int k = 0; k < sorted.Length; k++) if (double.IsNaN(sorted[k])) sorted[k] = double.NegativeInfinity;
                    Array.Sort(sorted);
                    threshold = sorted[sorted.Length - LogPartitionKeptCandidates];
                }

                int kept = 0, keptCandidates = 0;
                for (int a = 0; a < active; a++)
                {
                    int r = index[a];
                    if (change[a] <= tolerance)
                    {
                        status[r] = StartStatus.Converged;
                        av.Slice(a * visible, visible).CopyTo(mv.Slice(r * visible, visible));
                        ah.Slice(a * hidden, hidden).CopyTo(mh.Slice(r * hidden, hidden));
                        continue;
                    }
                    if (values is not null && (!(values[a] >= threshold) || keptCandidates >= LogPartitionKeptCandidates))
                    {
                        status[r] = StartStatus.Dropped;
                        av.Slice(a * visible, visible).CopyTo(mv.Slice(r * visible, visible));
                        ah.Slice(a * hidden, hidden).CopyTo(mh.Slice(r * hidden, hidden));
                        continue;
                    }
                    keptCandidates++;
                    if (kept != a)
                    {
                        av.Slice(a * visible, visible).CopyTo(av.Slice(kept * visible, visible));
                        ah.Slice(a * hidden, hidden).CopyTo(ah.Slice(kept * hidden, hidden));
                    }
                    index[kept++] = r;
                }
                active = kept;
            }
        }
        for (int a = 0; a < active; a++)
        {
            int r = index[a];
            status[r] = StartStatus.Unconverged;
            av.Slice(a * visible, visible).CopyTo(mv.Slice(r * visible, visible));
            ah.Slice(a * hidden, hidden).CopyTo(mh.Slice(r * hidden, hidden));
        }
        return status;
    }

    /// <summary>
    /// Diagnostic: for each row, the largest |m - sigm(field(m))| over all visible and hidden units, where the
    /// fields of the fixed-point equations (order <paramref name="order"/>) are evaluated at the given magnetisations
    /// (no damping, no sequential update). Zero exactly at a fixed point.
    /// </summary>
    /// <param name="model">The Bernoulli RBM (W, a, b).</param>
    /// <param name="magnetizations">m^v and m^h of each row.</param>
    /// <param name="order">Expansion order, 2 or 3.</param>
    /// <param name="result">Receives the residual of each row (length at least the number of rows).</param>
    /// <param name="backend">Compute backend for the matrix products (default: the model's).</param>
    /// <exception cref="ArgumentException">A span is shorter than its shape requires.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="order"/> is not 2 or 3.</exception>
    public static void FixedPointResidual(BernoulliRbm model, TapMagnetizations magnetizations, int order, Span<float> result, IComputeBackend? backend = null)
    {
        var (visible, hidden, rows) = Shape(model, magnetizations);
        ReadOnlySpan<float> weights = model.Weights, visibleBias = model.VisibleBias, hiddenBias = model.HiddenBias;
        Span<float> visibleMagnetization = magnetizations.Visible, hiddenMagnetization = magnetizations.Hidden;
        backend ??= model.Backend;
        CheckOrder(order);
        if (result.Length < rows) throw new ArgumentException($"The result has {result.Length} entries; {rows} rows need {rows}.", nameof(result));
        if (rows == 0) return;
        using var work = new TapWorkspace(weights, visibleBias, hiddenBias, visible, hidden, rows, order);
        using var sourceV = new PooledBuffer(rows * visible);
        using var sourceH = new PooledBuffer(rows * hidden);
        using var targetV = new PooledBuffer(rows * visible);
        using var targetH = new PooledBuffer(rows * hidden);
        visibleMagnetization[..(rows * visible)].CopyTo(sourceV.Span);
        hiddenMagnetization[..(rows * hidden)].CopyTo(sourceH.Span);
        sourceV.Span.CopyTo(targetV.Span);
        sourceH.Span.CopyTo(targetH.Span);
        var residual = new float[rows];
        // Undamped updates of copies, each from the original other layer; the change is the residual.
        work.UpdateHidden(weights, sourceV.Array, targetH.Array, rows, 0f, backend, residual, clamp: false);
        work.UpdateVisible(weights, sourceH.Array, targetV.Array, rows, 0f, backend, residual, clamp: false);
        residual.CopyTo(result);
    }

    /// <summary>Binary entropy -m ln m - (1 - m) ln(1 - m) with 0 ln 0 = 0 (NaN propagates).</summary>
    private static double Entropy(double m)
    {
        if (m <= 0.0 || m >= 1.0) return (m == 0.0 || m == 1.0) ? 0.0 : double.NaN;
        return -(m * Math.Log(m) + (1.0 - m) * Math.Log(1.0 - m));
    }

    /// <summary>sum_j W_ij (mv m_j + W_ij (halfC c_j + W_ij twoThirdsQ q_j)) for one visible unit and one row.</summary>
    private static double CouplingRow(ReadOnlySpan<double> w, ReadOnlySpan<double> m, ReadOnlySpan<double> c, ReadOnlySpan<double> q,
        double mv, double halfC, double twoThirdsQ, bool third)
    {
        int n = w.Length, j = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var acc = Vector<double>.Zero;
            var vm = new Vector<double>(mv);
            var vc = new Vector<double>(halfC);
            var vq = new Vector<double>(twoThirdsQ);
            for (; j <= n - Vector<double>.Count; j += Vector<double>.Count)
            {
                var wj = new Vector<double>(w[j..]);
                var inner = vc * new Vector<double>(c[j..]);
                if (third) inner += wj * vq * new Vector<double>(q[j..]);
                acc += wj * (vm * new Vector<double>(m[j..]) + wj * inner);
            }
            sum = Vector.Sum(acc);
        }
        for (; j < n; j++)
        {
            double wj = w[j];
            double inner = halfC * c[j];
            if (third) inner += wj * twoThirdsQ * q[j];
            sum += wj * (mv * m[j] + wj * inner);
        }
        return sum;
    }

    /// <summary>c(m) = m - m^2 elementwise (a rounded square, then a rounded difference, in vector lanes and the tail alike).</summary>
    internal static void Variance(ReadOnlySpan<float> m, Span<float> c)
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; k + 8 <= m.Length; k += 8)
            {
                var v = Vector256.Create(m.Slice(k, 8));
                (v - v * v).CopyTo(c.Slice(k, 8));
            }
        for (; k < m.Length; k++) c[k] = m[k] - m[k] * m[k];
    }

    /// <summary>q = c(m) (1/2 - m) elementwise, given c (c and q may alias).</summary>
    internal static void Skewness(ReadOnlySpan<float> m, ReadOnlySpan<float> c, Span<float> q)
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var half = Vector256.Create(0.5f);
            for (; k + 8 <= m.Length; k += 8)
                (Vector256.Create(c.Slice(k, 8)) * (half - Vector256.Create(m.Slice(k, 8)))).CopyTo(q.Slice(k, 8));
        }
        for (; k < m.Length; k++) q[k] = c[k] * (0.5f - m[k]);
    }

    private static void Clamp(Span<float> m)
    {
        for (int k = 0; k < m.Length; k++) m[k] = Math.Clamp(m[k], Epsilon, 1f - Epsilon);
    }

    private static void ColumnMeans(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> result)
    {
        double[] sums = ArrayPool<double>.Shared.Rent(columns);
        try
        {
            Array.Clear(sums, 0, columns);
            for (int r = 0; r < rows; r++)
            {
                var row = matrix.Slice(r * columns, columns);
                for (int j = 0; j < columns; j++) sums[j] += row[j];
            }
            for (int j = 0; j < columns; j++) result[j] = (float)(sums[j] / rows);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }
    }

    private static void CheckFinite(ReadOnlySpan<float> values, string what)
    {
        for (int k = 0; k < values.Length; k++)
            if (!float.IsFinite(values[k]))
                throw new FreeEnergyException($"The RBM {what} contain a non-finite value ({values[k]}) at index {k}; the TAP log-partition estimate needs finite parameters.");
    }

    internal static void CheckOrder(int order)
    {
        if (order is not (2 or 3))
            throw new ArgumentOutOfRangeException(nameof(order), order, "The TAP expansion order must be 2 or 3.");
    }

    /// <summary>The shape (visible, hidden, rows), after checking that the magnetisations fit the model.</summary>
    private static (int Visible, int Hidden, int Rows) Shape(BernoulliRbm model, TapMagnetizations magnetizations)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(magnetizations);
        ArgumentNullException.ThrowIfNull(magnetizations.Visible);
        ArgumentNullException.ThrowIfNull(magnetizations.Hidden);
        CheckMagnetizations(magnetizations.Visible.Length, magnetizations.Hidden.Length, model.Visible, model.Hidden, magnetizations.Rows);
        return (model.Visible, model.Hidden, magnetizations.Rows);
    }

    private static void CheckMagnetizations(int visibleLength, int hiddenLength, int visible, int hidden, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (visibleLength < (long)rows * visible)
            throw new ArgumentException($"The visible magnetisations have {visibleLength} values; {rows} rows of {visible} need {(long)rows * visible}.", "visibleMagnetization");
        if (hiddenLength < (long)rows * hidden)
            throw new ArgumentException($"The hidden magnetisations have {hiddenLength} values; {rows} rows of {hidden} need {(long)rows * hidden}.", "hiddenMagnetization");
    }
}

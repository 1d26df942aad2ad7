namespace FreeEnergy.Compute.Cuda;

/// <summary>
/// The device kernels of a <see cref="CudaBackend"/>, run on <see cref="CudaBuffer"/>s and queued on the
/// backend's stream. Each module is compiled by NVRTC on first use (once per architecture, cached).
/// Matrices are row-major; sizes are checked against the buffers before launching.
/// Random kernels use the same (seed, stream, index) Philox draws as <see cref="Cpu.Sampling"/>.
/// </summary>
public sealed unsafe class CudaKernels
{
    private const int ThreadsPerBlock = 256;
    private static readonly Dictionary<string, string> ModuleOf = new(StringComparer.Ordinal)
    {
        ["fe_sigmoid"] = "activations.cu", ["fe_softplus"] = "activations.cu", ["fe_add_row_bias"] = "activations.cu",
        ["fe_bias_sigmoid"] = "activations.cu", ["fe_bias_softplus"] = "activations.cu", ["fe_scale"] = "activations.cu",
        ["fe_uniform"] = "sampling.cu", ["fe_bernoulli"] = "sampling.cu", ["fe_gaussian"] = "sampling.cu",
        ["fe_row_sums"] = "reductions.cu", ["fe_logsumexp_rows"] = "reductions.cu", ["fe_rbm_free_energy_rows"] = "reductions.cu",
        ["fe_column_sums"] = "reductions.cu", ["fe_column_mean_difference"] = "reductions.cu", ["fe_squared_error_rows"] = "reductions.cu",
        ["fe_max_magnitude"] = "reductions.cu", ["fe_ais_log_weights"] = "reductions.cu", ["fe_tempered_sigmoid"] = "activations.cu",
        ["fe_adam"] = "optimizers.cu", ["fe_momentum"] = "optimizers.cu", ["fe_weight_step"] = "optimizers.cu",
        ["fe_gather_rows"] = "gather.cu",
        ["fe_bias_activation"] = "vae.cu", ["fe_activation_backward"] = "vae.cu", ["fe_reparameterize"] = "vae.cu",
        ["fe_bernoulli_logit_loss_rows"] = "vae.cu", ["fe_kl_rows"] = "vae.cu", ["fe_head_backward"] = "vae.cu",
        ["fe_reparameterize_pairs"] = "vae.cu", ["fe_log_ratio_pairs"] = "vae.cu",
        ["fe_gaussian_visible"] = "sampling.cu", ["fe_divide_columns"] = "activations.cu", ["fe_scale_shift_columns"] = "activations.cu",
        ["fe_gaussian_rbm_free_energy_rows"] = "reductions.cu",
        ["fe_tap_powers"] = "activations.cu", ["fe_tap_moments"] = "activations.cu", ["fe_tap_update"] = "activations.cu",
        ["fe_tap_weight_velocity"] = "optimizers.cu",
        ["fe_ais_accumulate"] = "ais.cu", ["fe_log_weight_difference"] = "ais.cu", ["fe_temper_rows"] = "ais.cu",
    };

    private readonly CudaBackend backend;
    private readonly Dictionary<string, IntPtr> modules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IntPtr> functions = new(StringComparer.Ordinal);

    internal CudaKernels(CudaBackend backend)
    {
        this.backend = backend;
        var supported = backend.Compiler.SupportedArchitectures();
        TargetArchitecture = ChooseArchitecture(backend.ComputeCapability, supported);
        UsesCubin = backend.Compiler.CanEmitCubin && Array.IndexOf(supported, backend.ComputeCapability) >= 0;
    }

    /// <summary>
    /// True when the kernels are compiled straight to device code (CUBIN for the device's sm_XX); false when
    /// they are compiled to PTX for <see cref="TargetArchitecture"/> and JIT-compiled by the driver.
    /// </summary>
    public bool UsesCubin { get; }

    /// <summary>Every kernel name and the module (source file) that defines it.</summary>
    internal static IReadOnlyDictionary<string, string> Catalog => ModuleOf;

    /// <summary>The virtual architecture the kernels are compiled for (the device's, or the newest NVRTC supports below it).</summary>
    public int TargetArchitecture { get; }

    internal static int ChooseArchitecture(int capability, int[] supported)
    {
        if (supported.Length == 0) return capability;
        int best = -1;
        foreach (var a in supported) if (a <= capability && a > best) best = a;
        if (best < 0) throw new CudaException($"The device's compute capability {capability / 10}.{capability % 10} is older than every architecture this NVRTC supports ({string.Join(", ", supported)}).");
        return best;
    }

    /// <summary>Compiles and loads every module now (otherwise each is compiled on first use).</summary>
    public void LoadAll()
    {
        foreach (var name in ModuleOf.Keys) Function(name);
    }

    private IntPtr Function(string name)
    {
        if (functions.TryGetValue(name, out var f)) return f;
        var module = ModuleOf[name];
        if (!modules.TryGetValue(module, out var handle))
        {
            var directory = backend.Options.UseDiskCache ? backend.Options.PtxCacheDirectory ?? PtxCache.DefaultDirectory() : null;
            var image = PtxCache.GetImage(backend.Compiler, module, UsesCubin ? backend.ComputeCapability : TargetArchitecture, UsesCubin, directory);
            backend.MakeCurrent();
            handle = backend.Driver.LoadModule(image, module);
            modules[module] = handle;
        }
        f = backend.Driver.Function(handle, name);
        functions[name] = f;
        return f;
    }

    internal void Unload()
    {
        foreach (var m in modules.Values) backend.Driver.UnloadModule(m);
        modules.Clear();
        functions.Clear();
    }

    private uint GridFor(long n)
    {
        long blocks = (n + ThreadsPerBlock - 1) / ThreadsPerBlock;
        long cap = Math.Max(1, backend.MultiprocessorCount) * 32L;
        return (uint)Math.Clamp(blocks, 1, cap);
    }

    private static uint RowThreads(int columns)
    {
        uint t = 32;
        while (t < 256 && t < columns) t <<= 1;
        return t;
    }

    private void Elementwise(string name, long n, void** args)
    {
        if (n == 0) return;
        var f = Function(name);
        backend.MakeCurrent();
        backend.Driver.Launch(f, name, GridFor(n), 1, ThreadsPerBlock, 1, backend.Stream, args);
    }

    private void PerRow(string name, int rows, int columns, void** args)
    {
        if (rows == 0) return;
        var f = Function(name);
        backend.MakeCurrent();
        backend.Driver.Launch(f, name, (uint)rows, 1, RowThreads(columns), 1, backend.Stream, args);
    }

    /// <summary>Launches an elementwise (grid-stride) kernel over <paramref name="n"/> elements on raw arguments.</summary>
    internal void LaunchElementwise(string name, long n, void** args) => Elementwise(name, n, args);

    /// <summary>Launches a one-block-per-row kernel (a power-of-two block of at most 256 threads) on raw arguments.</summary>
    internal void LaunchPerRow(string name, int rows, int columns, void** args) => PerRow(name, rows, columns, args);

    /// <summary>Launches a one-thread-per-column kernel on raw arguments.</summary>
    internal void LaunchPerColumn(string name, int columns, void** args)
    {
        if (columns == 0) return;
        var f = Function(name);
        backend.MakeCurrent();
        backend.Driver.Launch(f, name, (uint)((columns + ThreadsPerBlock - 1) / ThreadsPerBlock), 1, ThreadsPerBlock, 1, backend.Stream, args);
    }

    private static void Need(CudaBuffer buffer, long count, string name)
    {
        ArgumentNullException.ThrowIfNull(buffer, name);
        if (buffer.Length < count) throw new ArgumentException($"Device buffer '{name}' has {buffer.Length} floats; {count} are needed.", name);
    }

    private static int Elements(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        long n = (long)rows * columns;
        if (n > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(rows), "Matrices over 2^31 elements are not supported.");
        return (int)n;
    }

    /// <summary>y = sigmoid(x) for the first <paramref name="count"/> elements (x and y may be the same buffer).</summary>
    public void Sigmoid(CudaBuffer x, CudaBuffer y, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Need(x, count, nameof(x)); Need(y, count, nameof(y));
        ulong px = x.Pointer, py = y.Pointer; int n = count;
        void** a = stackalloc void*[] { &px, &py, &n };
        Elementwise("fe_sigmoid", n, a);
    }

    /// <summary>y = softplus(x) = log(1 + e^x), stable, for the first <paramref name="count"/> elements.</summary>
    public void Softplus(CudaBuffer x, CudaBuffer y, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Need(x, count, nameof(x)); Need(y, count, nameof(y));
        ulong px = x.Pointer, py = y.Pointer; int n = count;
        void** a = stackalloc void*[] { &px, &py, &n };
        Elementwise("fe_softplus", n, a);
    }

    /// <summary>matrix[r, c] += bias[c] for a <paramref name="rows"/> x <paramref name="columns"/> matrix.</summary>
    public void AddRowBias(CudaBuffer matrix, CudaBuffer bias, int rows, int columns)
    {
        int n = Elements(rows, columns);
        Need(matrix, n, nameof(matrix)); Need(bias, columns, nameof(bias));
        ulong pm = matrix.Pointer, pb = bias.Pointer; int r = rows, c = columns;
        void** a = stackalloc void*[] { &pm, &pb, &r, &c };
        Elementwise("fe_add_row_bias", n, a);
    }

    /// <summary>y[r, c] = sigmoid(x[r, c] + bias[c]) in one pass (x and y may be the same buffer).</summary>
    public void BiasSigmoid(CudaBuffer x, CudaBuffer bias, CudaBuffer y, int rows, int columns)
    {
        int n = Elements(rows, columns);
        Need(x, n, nameof(x)); Need(bias, columns, nameof(bias)); Need(y, n, nameof(y));
        ulong px = x.Pointer, pb = bias.Pointer, py = y.Pointer; int r = rows, c = columns;
        void** a = stackalloc void*[] { &px, &pb, &py, &r, &c };
        Elementwise("fe_bias_sigmoid", n, a);
    }

    /// <summary>y[r, c] = softplus(x[r, c] + bias[c]) in one pass (x and y may be the same buffer).</summary>
    public void BiasSoftplus(CudaBuffer x, CudaBuffer bias, CudaBuffer y, int rows, int columns)
    {
        int n = Elements(rows, columns);
        Need(x, n, nameof(x)); Need(bias, columns, nameof(bias)); Need(y, n, nameof(y));
        ulong px = x.Pointer, pb = bias.Pointer, py = y.Pointer; int r = rows, c = columns;
        void** a = stackalloc void*[] { &px, &pb, &py, &r, &c };
        Elementwise("fe_bias_softplus", n, a);
    }

    /// <summary>x[i] *= alpha for the first <paramref name="count"/> elements.</summary>
    public void Scale(CudaBuffer x, float alpha, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Need(x, count, nameof(x));
        ulong px = x.Pointer; float s = alpha; int n = count;
        void** a = stackalloc void*[] { &px, &s, &n };
        Elementwise("fe_scale", n, a);
    }

    /// <summary>output[i] = uniform in [0, 1) at Philox index startIndex + i (as <see cref="Random.Philox.FillUniform"/>).</summary>
    public void Uniform(CudaBuffer output, int count, ulong seed, ulong stream, ulong startIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Need(output, count, nameof(output));
        ulong po = output.Pointer, s = seed, st = stream, i0 = startIndex; int n = count;
        void** a = stackalloc void*[] { &po, &n, &s, &st, &i0 };
        Elementwise("fe_uniform", n, a);
    }

    /// <summary>output[i] = 1 if u_i &lt; probabilities[i] else 0, the same draws as <see cref="Cpu.Sampling.Bernoulli"/>.</summary>
    public void Bernoulli(CudaBuffer probabilities, CudaBuffer output, int count, ulong seed, ulong stream, ulong startIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Need(probabilities, count, nameof(probabilities)); Need(output, count, nameof(output));
        ulong pp = probabilities.Pointer, po = output.Pointer, s = seed, st = stream, i0 = startIndex; int n = count;
        void** a = stackalloc void*[] { &pp, &po, &n, &s, &st, &i0 };
        Elementwise("fe_bernoulli", n, a);
    }

    /// <summary>output[i] = mean[i] + standardDeviation * z_i, the same draws as <see cref="Cpu.Sampling.Gaussian"/>.</summary>
    public void Gaussian(CudaBuffer mean, float standardDeviation, CudaBuffer output, int count, ulong seed, ulong stream, ulong startIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Need(mean, count, nameof(mean)); Need(output, count, nameof(output));
        ulong pm = mean.Pointer, po = output.Pointer, s = seed, st = stream, i0 = startIndex; float sd = standardDeviation; int n = count;
        void** a = stackalloc void*[] { &pm, &sd, &po, &n, &s, &st, &i0 };
        Elementwise("fe_gaussian", n, a);
    }

    /// <summary>result[r] = sum of row r (double accumulation).</summary>
    public void RowSums(CudaBuffer matrix, CudaBuffer result, int rows, int columns)
    {
        int n = Elements(rows, columns);
        Need(matrix, n, nameof(matrix)); Need(result, rows, nameof(result));
        ulong pm = matrix.Pointer, pr = result.Pointer; int r = rows, c = columns;
        void** a = stackalloc void*[] { &pm, &pr, &r, &c };
        PerRow("fe_row_sums", rows, columns, a);
    }

    /// <summary>result[r] = log sum_c exp(matrix[r, c]), stable (as <see cref="Cpu.Activations.LogSumExpRows"/>).</summary>
    public void LogSumExpRows(CudaBuffer matrix, CudaBuffer result, int rows, int columns)
    {
        int n = Elements(rows, columns);
        Need(matrix, n, nameof(matrix)); Need(result, rows, nameof(result));
        ulong pm = matrix.Pointer, pr = result.Pointer; int r = rows, c = columns;
        void** a = stackalloc void*[] { &pm, &pr, &r, &c };
        PerRow("fe_logsumexp_rows", rows, columns, a);
    }

    /// <summary>
    /// Bernoulli-RBM free energy per row, F(v) = -v.b - sum_j softplus(pre[r, j] + c[j]), where
    /// <paramref name="preActivations"/> = v W (rows x hidden) comes from <see cref="CudaBackend.Gemm(Transpose, Transpose, int, int, int, float, CudaBuffer, int, CudaBuffer, int, float, CudaBuffer, int)"/>.
    /// </summary>
    public void RbmFreeEnergyRows(CudaBuffer visible, CudaBuffer visibleBias, CudaBuffer preActivations, CudaBuffer hiddenBias,
        CudaBuffer result, int rows, int visibleCount, int hiddenCount)
    {
        Need(visible, Elements(rows, visibleCount), nameof(visible)); Need(visibleBias, visibleCount, nameof(visibleBias));
        Need(preActivations, Elements(rows, hiddenCount), nameof(preActivations)); Need(hiddenBias, hiddenCount, nameof(hiddenBias));
        Need(result, rows, nameof(result));
        ulong pv = visible.Pointer, pb = visibleBias.Pointer, pp = preActivations.Pointer, pc = hiddenBias.Pointer, pr = result.Pointer;
        int r = rows, d = visibleCount, h = hiddenCount;
        void** a = stackalloc void*[] { &pv, &pb, &pp, &pc, &pr, &r, &d, &h };
        PerRow("fe_rbm_free_energy_rows", rows, Math.Max(visibleCount, hiddenCount), a);
    }

    /// <summary>result[c] = scale * sum_r matrix[r, c] (bias gradients with scale = 1 / batch size).</summary>
    public void ColumnSums(CudaBuffer matrix, CudaBuffer result, int rows, int columns, float scale = 1f)
    {
        int n = Elements(rows, columns);
        Need(matrix, n, nameof(matrix)); Need(result, columns, nameof(result));
        if (columns == 0) return;
        ulong pm = matrix.Pointer, pr = result.Pointer; int r = rows, c = columns; float s = scale;
        void** a = stackalloc void*[] { &pm, &pr, &r, &c, &s };
        var f = Function("fe_column_sums");
        backend.MakeCurrent();
        backend.Driver.Launch(f, "fe_column_sums", (uint)((columns + ThreadsPerBlock - 1) / ThreadsPerBlock), 1, ThreadsPerBlock, 1, backend.Stream, a);
    }

    /// <summary>
    /// One Adam step (step number <paramref name="step"/> &gt;= 1) on <paramref name="count"/> parameters, minimizing
    /// the loss whose gradient is given: g = gradient + weightDecay p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
    /// p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + epsilon).
    /// </summary>
    public void Adam(CudaBuffer parameters, CudaBuffer gradient, CudaBuffer firstMoment, CudaBuffer secondMoment, int count,
        float learningRate, float beta1, float beta2, float epsilon, int step, float weightDecay = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        Need(parameters, count, nameof(parameters)); Need(gradient, count, nameof(gradient));
        Need(firstMoment, count, nameof(firstMoment)); Need(secondMoment, count, nameof(secondMoment));
        ulong pp = parameters.Pointer, pg = gradient.Pointer, pm = firstMoment.Pointer, pv = secondMoment.Pointer;
        int n = count;
        float lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay;
        float c1 = (float)(1.0 - Math.Pow(beta1, step)), c2 = (float)(1.0 - Math.Pow(beta2, step));
        void** a = stackalloc void*[] { &pp, &pg, &pm, &pv, &n, &lr, &b1, &b2, &eps, &c1, &c2, &wd };
        Elementwise("fe_adam", n, a);
    }

    /// <summary>
    /// Momentum SGD on <paramref name="count"/> parameters, minimizing the loss whose gradient is given:
    /// velocity = momentum velocity - lr (gradient + weightDecay p); p += velocity.
    /// </summary>
    public void Momentum(CudaBuffer parameters, CudaBuffer gradient, CudaBuffer velocity, int count, float learningRate, float momentum, float weightDecay = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Need(parameters, count, nameof(parameters)); Need(gradient, count, nameof(gradient)); Need(velocity, count, nameof(velocity));
        ulong pp = parameters.Pointer, pg = gradient.Pointer, pv = velocity.Pointer;
        int n = count; float lr = learningRate, mu = momentum, wd = weightDecay;
        void** a = stackalloc void*[] { &pp, &pg, &pv, &n, &lr, &mu, &wd };
        Elementwise("fe_momentum", n, a);
    }

    /// <summary>AIS: logWeights[i] += betaStep * negativeEnergy[i] (geometric path, one temperature step).</summary>
    public void AisAccumulate(CudaBuffer logWeights, CudaBuffer negativeEnergy, int count, float betaStep)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Need(logWeights, count, nameof(logWeights)); Need(negativeEnergy, count, nameof(negativeEnergy));
        ulong pw = logWeights.Pointer, pe = negativeEnergy.Pointer; int n = count; float b = betaStep;
        void** a = stackalloc void*[] { &pw, &pe, &n, &b };
        Elementwise("fe_ais_accumulate", n, a);
    }

    /// <summary>AIS: logWeights[i] += next[i] - previous[i] (log p*_k(v_i) - log p*_{k-1}(v_i)).</summary>
    public void LogWeightDifference(CudaBuffer logWeights, CudaBuffer next, CudaBuffer previous, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Need(logWeights, count, nameof(logWeights)); Need(next, count, nameof(next)); Need(previous, count, nameof(previous));
        ulong pw = logWeights.Pointer, pn = next.Pointer, pp = previous.Pointer; int n = count;
        void** a = stackalloc void*[] { &pw, &pn, &pp, &n };
        Elementwise("fe_log_weight_difference", n, a);
    }

    /// <summary>y[r, c] = beta x[r, c] + (1 - beta) baseBias[c]: tempered pre-activations on an AIS path (x and y may alias).</summary>
    public void TemperRows(CudaBuffer x, CudaBuffer baseBias, CudaBuffer y, int rows, int columns, float beta)
    {
        int n = Elements(rows, columns);
        Need(x, n, nameof(x)); Need(baseBias, columns, nameof(baseBias)); Need(y, n, nameof(y));
        ulong px = x.Pointer, pb = baseBias.Pointer, py = y.Pointer; int r = rows, c = columns; float b = beta;
        void** a = stackalloc void*[] { &px, &pb, &py, &r, &c, &b };
        Elementwise("fe_temper_rows", n, a);
    }
}

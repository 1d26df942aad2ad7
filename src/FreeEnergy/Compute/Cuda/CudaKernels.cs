namespace FreeEnergy.Compute.Cuda;

/// <summary>
/// The kernel modules of a <see cref="CudaBackend"/>: each module is compiled by NVRTC on first use (once per
/// architecture, cached) and its kernels are launched on the backend's stream. The operations that run them, with their
/// argument checks, are those of the device seam (<see cref="CudaDeviceArrays"/>).
/// </summary>
public sealed unsafe class CudaKernels
{
    private const int ThreadsPerBlock = 256;
    private static readonly Dictionary<string, string> ModuleOf = new(StringComparer.Ordinal)
    {
        ["fe_add_row_bias"] = "activations.cu", ["fe_bias_sigmoid"] = "activations.cu", ["fe_scale"] = "activations.cu",
        ["fe_tempered_sigmoid"] = "activations.cu", ["fe_divide_columns"] = "activations.cu", ["fe_scale_shift_columns"] = "activations.cu",
        ["fe_tap_powers"] = "activations.cu", ["fe_tap_moments"] = "activations.cu", ["fe_tap_update"] = "activations.cu",
        ["fe_bernoulli"] = "sampling.cu", ["fe_gaussian"] = "sampling.cu", ["fe_gaussian_visible"] = "sampling.cu",
        ["fe_rbm_free_energy_rows"] = "reductions.cu", ["fe_gaussian_rbm_free_energy_rows"] = "reductions.cu", ["fe_column_sums"] = "reductions.cu",
        ["fe_column_mean_difference"] = "reductions.cu", ["fe_squared_error_rows"] = "reductions.cu", ["fe_max_magnitude"] = "reductions.cu",
        ["fe_ais_log_weights"] = "reductions.cu",
        ["fe_adam"] = "optimizers.cu", ["fe_momentum"] = "optimizers.cu", ["fe_weight_step"] = "optimizers.cu", ["fe_tap_weight_velocity"] = "optimizers.cu",
        ["fe_gather_rows"] = "gather.cu",
        ["fe_bias_activation"] = "vae.cu", ["fe_activation_backward"] = "vae.cu", ["fe_reparameterize"] = "vae.cu",
        ["fe_bernoulli_logit_loss_rows"] = "vae.cu", ["fe_kl_rows"] = "vae.cu", ["fe_head_backward"] = "vae.cu",
        ["fe_reparameterize_pairs"] = "vae.cu", ["fe_log_ratio_pairs"] = "vae.cu",
        ["fe_importance_head_backward"] = "vae.cu", ["fe_importance_weights"] = "vae.cu", ["fe_scale_rows"] = "vae.cu",
        ["fe_split_columns"] = "hierarchical_vae.cu", ["fe_prior_log_ratio_rows"] = "hierarchical_vae.cu", ["fe_prior_backward"] = "hierarchical_vae.cu",
        ["fe_posterior_head_backward"] = "hierarchical_vae.cu",
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

    /// <summary>Launches an elementwise (grid-stride) kernel over <paramref name="n"/> elements on raw arguments.</summary>
    internal void LaunchElementwise(string name, long n, void** args)
    {
        if (n == 0) return;
        var f = Function(name);
        backend.MakeCurrent();
        backend.Driver.Launch(f, name, GridFor(n), 1, ThreadsPerBlock, 1, backend.Stream, args);
    }

    /// <summary>Launches a one-block-per-row kernel (a power-of-two block of at most 256 threads) on raw arguments.</summary>
    internal void LaunchPerRow(string name, int rows, int columns, void** args)
    {
        if (rows == 0) return;
        var f = Function(name);
        backend.MakeCurrent();
        backend.Driver.Launch(f, name, (uint)rows, 1, RowThreads(columns), 1, backend.Stream, args);
    }

    /// <summary>Launches a one-thread-per-column kernel on raw arguments.</summary>
    internal void LaunchPerColumn(string name, int columns, void** args)
    {
        if (columns == 0) return;
        var f = Function(name);
        backend.MakeCurrent();
        backend.Driver.Launch(f, name, (uint)((columns + ThreadsPerBlock - 1) / ThreadsPerBlock), 1, ThreadsPerBlock, 1, backend.Stream, args);
    }
}

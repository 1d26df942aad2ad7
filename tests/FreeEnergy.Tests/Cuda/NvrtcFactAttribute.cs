using FreeEnergy.Compute.Cuda;

namespace FreeEnergy.Tests.Cuda;

/// <summary>
/// A theory that runs only where NVRTC loads; elsewhere it is skipped with the loader's reason. With
/// FREEENERGY_REQUIRE_NVRTC=1 (set by .ci/run, whose install step provides NVRTC) it never skips, so a
/// missing NVRTC in CI is a failure, not a silent skip.
/// </summary>
public sealed class NvrtcTheoryAttribute : TheoryAttribute
{
    public NvrtcTheoryAttribute()
    {
        if (Environment.GetEnvironmentVariable("FREEENERGY_REQUIRE_NVRTC") == "1") return;
        if (Nvrtc.TryGet(out var reason) is null)
            Skip = $"NVRTC is not installed here ({reason}); run build/install-prerequisites.sh to enable these tests.";
    }
}

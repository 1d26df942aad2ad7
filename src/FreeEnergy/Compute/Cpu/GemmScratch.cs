using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FreeEnergy.Compute.Cpu;

/// <summary>
/// Per-thread, 64-byte-aligned scratch on the pinned object heap for packed panels and row accumulators.
/// Buffers grow to the largest request and are then reused, so steady-state GEMM calls do not allocate for packing.
/// </summary>
internal static unsafe class GemmScratch
{
    [ThreadStatic] private static float[]? t_packedA;
    [ThreadStatic] private static float[]? t_packedB;
    [ThreadStatic] private static float[]? t_row;
    [ThreadStatic] private static float[]? t_row2;

    public static float* PackedA(int length) => Get(ref t_packedA, length);

    public static float* PackedB(int length) => Get(ref t_packedB, length);

    public static float* Row(int length) => Get(ref t_row, length);

    public static float* Row2(int length) => Get(ref t_row2, length);

    private static float* Get(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length + 16)
            buffer = GC.AllocateUninitializedArray<float>(Math.Max(length + 16, 64), pinned: true);
        float* p = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        nint misalignment = (nint)p & 63;
        return misalignment == 0 ? p : (float*)((byte*)p + (64 - misalignment));
    }
}

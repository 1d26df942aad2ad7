using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace FreeEnergy.Persistence;

/// <summary>float32 arrays as little-endian bytes (a reinterpretation on little-endian machines, a swap elsewhere).</summary>
internal static class TensorBytes
{
    /// <summary>The little-endian bytes of <paramref name="values"/> as a span (may copy on big-endian machines).</summary>
    public static ReadOnlySpan<byte> AsLittleEndian(float[] values)
    {
        if (BitConverter.IsLittleEndian) return MemoryMarshal.AsBytes(values.AsSpan());
        var buffer = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * i), values[i]);
        return buffer;
    }

    /// <summary>Fixes up values just read as raw little-endian bytes (no-op on little-endian machines).</summary>
    public static void FromLittleEndian(float[] values)
    {
        if (BitConverter.IsLittleEndian) return;
        var ints = MemoryMarshal.Cast<float, int>(values.AsSpan());
        for (int i = 0; i < ints.Length; i++) ints[i] = BinaryPrimitives.ReverseEndianness(ints[i]);
    }
}

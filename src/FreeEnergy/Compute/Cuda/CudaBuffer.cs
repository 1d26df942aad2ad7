namespace FreeEnergy.Compute.Cuda;

/// <summary>
/// A float array in GPU memory owned by a <see cref="CudaBackend"/>. Uploads and kernels are queued on the
/// backend's stream in order; <see cref="Download"/> waits for everything queued before it. Dispose it
/// (or the backend) to free the memory; a buffer must not outlive its backend. Not thread-safe: use a buffer from
/// one thread at a time.
/// </summary>
public sealed unsafe class CudaBuffer : IDisposable
{
    private readonly CudaBackend owner;
    private ulong pointer;

    internal CudaBuffer(CudaBackend owner, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        this.owner = owner;
        Length = length;
        owner.MakeCurrent();
        pointer = owner.Driver.Allocate((long)length * sizeof(float));
    }

    /// <summary>Number of floats.</summary>
    public int Length { get; }

    /// <summary>The backend that owns this buffer.</summary>
    public CudaBackend Backend => owner;

    internal ulong Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(pointer == 0, this);
            return pointer;
        }
    }

    internal ulong At(int offset) => Pointer + (ulong)offset * sizeof(float);

    /// <summary>Copies <paramref name="source"/> into this buffer starting at float <paramref name="offset"/>.</summary>
    public void Upload(ReadOnlySpan<float> source, int offset = 0)
    {
        CheckRange(offset, source.Length);
        if (source.Length == 0) return;
        owner.MakeCurrent();
        fixed (float* p = source) owner.Driver.CopyToDevice(At(offset), p, (long)source.Length * sizeof(float), owner.Stream);
    }

    /// <summary>Copies floats starting at <paramref name="offset"/> into <paramref name="destination"/>, after all queued work.</summary>
    public void Download(Span<float> destination, int offset = 0)
    {
        CheckRange(offset, destination.Length);
        if (destination.Length == 0) return;
        owner.MakeCurrent();
        fixed (float* p = destination) owner.Driver.CopyToHost(p, At(offset), (long)destination.Length * sizeof(float), owner.Stream);
        owner.Driver.Synchronize(owner.Stream);
    }

    /// <summary>The whole buffer as a new array (after all queued work).</summary>
    public float[] ToArray()
    {
        var result = new float[Length];
        Download(result);
        return result;
    }

    /// <summary>Copies <paramref name="count"/> floats from <paramref name="source"/> (device to device, queued).</summary>
    public void CopyFrom(CudaBuffer source, int sourceOffset, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(source);
        source.CheckRange(sourceOffset, count);
        CheckRange(offset, count);
        if (count == 0) return;
        owner.MakeCurrent();
        owner.Driver.CopyDeviceToDevice(At(offset), source.At(sourceOffset), (long)count * sizeof(float), owner.Stream);
    }

    /// <summary>Sets every element to <paramref name="value"/> (queued).</summary>
    public void Fill(float value)
    {
        if (Length == 0) return;
        owner.MakeCurrent();
        owner.Driver.Fill32(Pointer, BitConverter.SingleToUInt32Bits(value), Length, owner.Stream);
    }

    internal void CheckRange(int offset, int count)
    {
        if (offset < 0 || count < 0 || (long)offset + count > Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Range [{offset}, {(long)offset + count}) is outside the device buffer of {Length} floats.");
    }

    /// <summary>Frees the device memory.</summary>
    public void Dispose()
    {
        if (pointer == 0) return;
        if (!owner.IsDisposed)
        {
            owner.MakeCurrent();
            owner.Driver.Free(pointer);
        }
        pointer = 0;
    }
}

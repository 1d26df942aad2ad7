namespace FreeEnergy.Compute.Device;

/// <summary>
/// A float array owned by an <see cref="IDeviceArrays"/> implementation: GPU memory for CUDA, a managed array for the
/// host implementation. Only its owner reads or writes it (by <see cref="DeviceSlice"/>s); dispose it before its owner.
/// </summary>
internal abstract class DeviceArray : IDisposable
{
    protected DeviceArray(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
    }

    /// <summary>Number of floats.</summary>
    public int Length { get; }

    /// <summary>The floats [offset, offset + length).</summary>
    public DeviceSlice Slice(int offset, int length) => new(this, offset, length);

    /// <summary>The floats [offset, end).</summary>
    public DeviceSlice Slice(int offset) => new(this, offset, Length - offset);

    /// <summary>The whole array.</summary>
    public static implicit operator DeviceSlice(DeviceArray array) => new(array, 0, array.Length);

    /// <summary>Frees the storage.</summary>
    public abstract void Dispose();
}

/// <summary>A contiguous range of a <see cref="DeviceArray"/> (the device analogue of a span).</summary>
internal readonly struct DeviceSlice
{
    public DeviceSlice(DeviceArray array, int offset, int length)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (offset < 0 || length < 0 || (long)offset + length > array.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Range [{offset}, {(long)offset + length}) is outside the device array of {array.Length} floats.");
        Array = array;
        Offset = offset;
        Length = length;
    }

    /// <summary>The array this slice views.</summary>
    public DeviceArray Array { get; }

    /// <summary>First float of the slice within <see cref="Array"/>.</summary>
    public int Offset { get; }

    /// <summary>Number of floats.</summary>
    public int Length { get; }

    /// <summary>A sub-range of this slice.</summary>
    public DeviceSlice Slice(int offset, int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Range [{offset}, {(long)offset + length}) is outside the slice of {Length} floats.");
        return new(Array, Offset + offset, length);
    }

    /// <summary>Throws unless the slice holds at least <paramref name="count"/> floats.</summary>
    public DeviceSlice Need(long count, string name)
    {
        if (Length < count) throw new ArgumentException($"Device slice '{name}' has {Length} floats; {count} are needed.", name);
        return this;
    }
}

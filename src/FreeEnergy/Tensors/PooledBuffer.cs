using System.Buffers;

namespace FreeEnergy.Tensors;

/// <summary>
/// Scratch storage rented from <see cref="ArrayPool{T}.Shared"/>; dispose to return it.
/// The rented array may be longer than <see cref="Length"/>; only the first <see cref="Length"/> values are meaningful.
/// </summary>
public struct PooledBuffer : IDisposable
{
    private float[]? _array;

    /// <summary>Rents at least <paramref name="length"/> floats; when <paramref name="clear"/> is set they are zeroed.</summary>
    public PooledBuffer(int length, bool clear = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _array = ArrayPool<float>.Shared.Rent(Math.Max(length, 1));
        Length = length;
        if (clear) _array.AsSpan(0, length).Clear();
    }

    /// <summary>The requested length.</summary>
    public int Length { get; }

    /// <summary>The rented array (may be longer than <see cref="Length"/>).</summary>
    public readonly float[] Array => _array ?? throw new ObjectDisposedException(nameof(PooledBuffer));

    /// <summary>The first <see cref="Length"/> values.</summary>
    public readonly Span<float> Span => Array.AsSpan(0, Length);

    /// <summary>A row-major view of the buffer as a <paramref name="rows"/> x <paramref name="columns"/> matrix.</summary>
    public readonly MatrixView AsMatrix(int rows, int columns)
    {
        if ((long)rows * columns > Length) throw new ArgumentOutOfRangeException(nameof(rows));
        return new MatrixView(Array, 0, rows, columns);
    }

    /// <summary>Returns the array to the pool.</summary>
    public void Dispose()
    {
        var a = _array;
        _array = null;
        if (a is not null) ArrayPool<float>.Shared.Return(a);
    }
}

namespace FreeEnergy.Compute.Random;

/// <summary>
/// A sequential view of one Philox stream, for work that is naturally serial (initialisation, shuffling).
/// Not thread-safe: give each thread its own stream id.
/// </summary>
public sealed class RandomStream
{
    private readonly ulong _seed;
    private readonly ulong _stream;
    private ulong _block;
    private uint _w0, _w1, _w2, _w3;
    private int _lane = 4;

    /// <summary>Creates stream <paramref name="stream"/> of generator <paramref name="seed"/>.</summary>
    public RandomStream(ulong seed, ulong stream = 0)
    {
        _seed = seed;
        _stream = stream;
    }

    /// <summary>The next 32-bit word.</summary>
    public uint NextUInt()
    {
        if (_lane == 4)
        {
            (_w0, _w1, _w2, _w3) = Philox.Block(_seed, _stream, _block++);
            _lane = 0;
        }
        return _lane++ switch { 0 => _w0, 1 => _w1, 2 => _w2, _ => _w3 };
    }

    /// <summary>A uniform float in [0, 1).</summary>
    public float NextFloat() => Philox.ToUniform(NextUInt());

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>) without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        ulong product = (ulong)NextUInt() * (uint)maxExclusive;
        uint low = (uint)product;
        if (low < (uint)maxExclusive)
        {
            uint threshold = (uint)(-maxExclusive) % (uint)maxExclusive;
            while (low < threshold)
            {
                product = (ulong)NextUInt() * (uint)maxExclusive;
                low = (uint)product;
            }
        }
        return (int)(product >> 32);
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    public float NextGaussian()
    {
        double u1 = Philox.ToUniformOpen(NextUInt()), u2 = Philox.ToUniform(NextUInt());
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher-Yates).</summary>
    public void Shuffle(Span<int> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}

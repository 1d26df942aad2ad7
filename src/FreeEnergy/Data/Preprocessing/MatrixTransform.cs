using FreeEnergy.Tensors;

namespace FreeEnergy.Data.Preprocessing;

/// <summary>A fitted, stateless-per-call transformation of a data matrix, applied in place or to a copy.</summary>
public abstract class MatrixTransform
{
    /// <summary>Returns a transformed copy of <paramref name="data"/>; the input is left unchanged.</summary>
    public Matrix Transform(Matrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var copy = data.Clone();
        TransformInPlace(copy);
        return copy;
    }

    /// <summary>Transforms <paramref name="data"/> in place.</summary>
    public abstract void TransformInPlace(Matrix data);
}

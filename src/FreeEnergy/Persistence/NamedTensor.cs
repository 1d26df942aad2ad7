namespace FreeEnergy.Persistence;

/// <summary>A named float32 tensor as stored in a model file (row-major).</summary>
/// <param name="Name">The tensor's name, unique within a file (e.g. "weights").</param>
/// <param name="Shape">Dimensions; their product equals <paramref name="Data"/>.Length.</param>
/// <param name="Data">Row-major values.</param>
public sealed record NamedTensor(string Name, int[] Shape, float[] Data);

using FreeEnergy.Compute;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// Gathers a CPU training step's batch: the rows at positions start .. start + rows - 1 of the epoch's order copied into
/// the step's input buffer, each held <c>copies</c> times in a row (row r's copies at r copies .. r copies + copies - 1);
/// with a binarisation seed each row is drawn as the epoch's <see cref="Binarization"/> of it (its copies hold the same draw).
/// </summary>
internal sealed class BatchRows
{
    private readonly MatrixView _training;
    private readonly float[] _x;
    private readonly int _copies;
    private readonly IComputeBackend _backend;
    private readonly Action<int, int> _body;
    private readonly ulong? _binarizationSeed;
    private ulong _binarizationStream;
    private int[] _order = [];
    private int _start;

    /// <summary>Gathers from <paramref name="training"/>; with <paramref name="binarizationSeed"/> the rows are drawn (dynamic binarisation) instead of copied.</summary>
    public BatchRows(MatrixView training, float[] x, int copies, IComputeBackend backend, ulong? binarizationSeed = null)
    {
        _training = training;
        _x = x;
        _copies = copies;
        _backend = backend;
        _binarizationSeed = binarizationSeed;
        _body = Copy;
    }

    /// <summary>The epoch whose draw the next gathers take (dynamic binarisation only).</summary>
    public void BeginEpoch(int epoch) => _binarizationStream = Binarization.EpochStream(epoch);

    public void Gather(int[] order, int start, int rows)
    {
        _order = order;
        _start = start;
        _backend.For(rows, 16, _body);
    }

    private void Copy(int start, int end)
    {
        int d = _training.Columns, k = _copies;
        for (int r = start; r < end; r++)
        {
            int row = _order[_start + r];
            var source = _training.Array.AsSpan(_training.Offset + row * d, d);
            var first = _x.AsSpan(r * k * d, d);
            if (_binarizationSeed is { } seed) Binarization.Row(source, first, seed, _binarizationStream, row);
            else source.CopyTo(first);
            for (int s = 1; s < k; s++) first.CopyTo(_x.AsSpan((r * k + s) * d, d));
        }
    }
}

/// <summary>A CPU training step's parameter vector with its two saved copies (<see cref="ParameterCopy"/>) and its end-of-epoch check.</summary>
internal sealed class ParameterVectorCopies(float[] theta)
{
    private readonly float[] _lastGood = new float[theta.Length], _best = new float[theta.Length];

    public void Save(ParameterCopy copy) => Array.Copy(theta, Of(copy), theta.Length);

    public void Restore(ParameterCopy copy) => Array.Copy(Of(copy), theta, theta.Length);

    /// <summary>"parameters" when one is NaN or infinite (the divergence report's word), else null.</summary>
    public string? NonFinite()
    {
        foreach (var v in theta) if (!float.IsFinite(v)) return "parameters";
        return null;
    }

    private float[] Of(ParameterCopy copy) => copy == ParameterCopy.Best ? _best : _lastGood;
}

using System.Globalization;
using FreeEnergy.Compute.Device;
using FreeEnergy.Compute.Random;
using FreeEnergy.Models;
using FreeEnergy.Tensors;

namespace FreeEnergy.Training;

/// <summary>
/// Stochastic binarisation of values in [0, 1] (<see cref="VaeTrainingOptions.DynamicBinarization"/>; Burda et al. 2016
/// train on dynamically binarised MNIST): each value p becomes 1 when its Philox uniform u &lt; p, else 0, so its mean is
/// p. Value j of row i of a data set of D columns uses word i D + j of the stream, so a draw depends only on (seed,
/// stream, row, column), never on threads, batches, the shuffle or the device. The draw of epoch e is the stream
/// (<see cref="Vae.PurposeBinarize"/>, e, 1); a fixed draw (the validation rows, the benchmark's test set) is the stream
/// (<see cref="Vae.PurposeBinarize"/>, which).
/// </summary>
internal static class Binarization
{
    /// <summary>The fixed draw of a training run's validation rows.</summary>
    public const ulong ValidationDraw = 0;

    /// <summary>The Philox stream of epoch <paramref name="epoch"/>'s draw (0-based).</summary>
    public static ulong EpochStream(int epoch) => Philox.Stream(Vae.PurposeBinarize, (ulong)epoch, 1);

    /// <summary>The Philox stream of the fixed draw <paramref name="which"/>.</summary>
    public static ulong FixedStream(ulong which) => Philox.Stream(Vae.PurposeBinarize, which);

    /// <summary>Row <paramref name="rowIndex"/> of a data set (its values <paramref name="row"/>) drawn into <paramref name="output"/>.</summary>
    public static void Row(ReadOnlySpan<float> row, Span<float> output, ulong seed, ulong stream, int rowIndex)
        => PhiloxBernoulli.Sample(row, output, seed, stream, (ulong)rowIndex * (ulong)row.Length);

    /// <summary>Every row of <paramref name="data"/> drawn once with the fixed draw <paramref name="which"/>, as a new matrix.</summary>
    public static Matrix Fixed(MatrixView data, ulong seed, ulong which)
    {
        var result = new Matrix(data.Rows, data.Columns);
        PhiloxBernoulli.Sample(data.Span, result.Data, seed, FixedStream(which), 0);
        return result;
    }

    /// <summary>Every row of the device-resident data set <paramref name="data"/> drawn for epoch <paramref name="epoch"/> into <paramref name="output"/> (the same bits as <see cref="Row"/>).</summary>
    public static void Epoch(IDeviceArrays device, DeviceSlice data, DeviceSlice output, ulong seed, int epoch)
        => device.Bernoulli(data, output, seed, EpochStream(epoch), 0);

    /// <summary>The validation rows a run measures: with <see cref="VaeTrainingOptions.DynamicBinarization"/> one fixed draw
    /// of them (the same every epoch, so that early stopping compares like with like), otherwise the rows as given.</summary>
    public static MatrixView? Validation(MatrixView? validation, VaeTrainingOptions options)
        => options.DynamicBinarization && validation is { Rows: > 0 } v ? Fixed(v, options.Seed, ValidationDraw).View : validation;

    /// <summary>Refuses a value outside [0, 1] (or not a number); the <see cref="DataFormatException"/> names the 1-based row and column.</summary>
    public static void CheckRange(MatrixView data, string what)
    {
        var span = data.Span;
        for (int i = 0; i < span.Length; i++)
        {
            float v = span[i];
            if (!(v >= 0f && v <= 1f))
                throw new DataFormatException($"{what} value {v.ToString(CultureInfo.InvariantCulture)} is outside [0, 1]; dynamic binarisation draws each value as the probability of a 1, so scale the data to [0, 1] or turn it off.",
                    null, i / data.Columns + 1, i % data.Columns + 1);
        }
    }
}

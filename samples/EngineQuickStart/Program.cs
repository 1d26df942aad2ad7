// FreeEnergyML quick start: train a Bernoulli RBM on generated 8x8 "bars and stripes" images, then use its
// free energy as an anomaly score (normal images score low, corrupted ones high), compute the exact log Z,
// and show an encoding and a reconstruction. Runs in a few seconds on two cores.
using System.Diagnostics;
using FreeEnergy.Compute.Random;
using FreeEnergy.Estimation;
using FreeEnergy.Tensors;
using FreeEnergy.Training;

const int Side = 8, Visible = Side * Side;
var clock = Stopwatch.StartNew();

var train = BarsAndStripes(2000, seed: 1);
var normal = BarsAndStripes(500, seed: 2);
var corrupted = Corrupt(BarsAndStripes(500, seed: 3), flipProbability: 0.15f, seed: 4);

var options = new RbmTrainingOptions
{
    HiddenUnits = 20,               // small enough for an exact log Z (2^20 hidden states)
    Epochs = 30,
    BatchSize = 20,
    LearningRate = 0.1f,
    Momentum = 0.5f,
    NegativePhase = NegativePhase.PersistentContrastiveDivergence(steps: 1, chains: 100),
    Seed = 42,
};
Console.WriteLine($"Training a {Visible}x{options.HiddenUnits} Bernoulli RBM ({options.NegativePhase}) on {train.Rows} bars-and-stripes images...");
var model = RbmTrainer.TrainBernoulli(train.View, options, new EpochLines());

// Free energy F(v): the unnormalised anomaly score.
var fNormal = model.FreeEnergy(normal.View);
var fCorrupted = model.FreeEnergy(corrupted.View);
double logZ = ExactLogPartition.Compute(model);
Console.WriteLine();
Console.WriteLine("                         normal   corrupted");
Console.WriteLine($"mean free energy F(v)  {fNormal.Average(),8:F2}   {fCorrupted.Average(),8:F2}");
Console.WriteLine($"mean -log p(v) (nats)  {fNormal.Average() + logZ,8:F2}   {fCorrupted.Average() + logZ,8:F2}   (exact log Z = {logZ:F3})");
Console.WriteLine($"AUC (corrupted scores higher than normal): {Auc(fNormal, fCorrupted):F3}");

// Encode and reconstruct one corrupted image.
var one = corrupted.RowRange(0, 1);
var code = model.Encode(one);
var recon = model.Reconstruct(one);
Console.WriteLine();
Console.WriteLine($"hidden code of a corrupted image (first 10 of {model.Hidden}): " + string.Join(" ", code.Row(0)[..10].ToArray().Select(x => x.ToString("F2"))));
Console.WriteLine("pixel values: '#' above 0.75 (ink), '+' between 0.25 and 0.75 (unsure), '.' below 0.25 (blank)");
Console.WriteLine("corrupted input      reconstruction");
for (int y = 0; y < Side; y++)
{
    var input = one.Row(0).Slice(y * Side, Side).ToArray();
    var output = recon.Row(0).Slice(y * Side, Side).ToArray();
    Console.WriteLine($"{Pixels(input)}     {Pixels(output)}");
}
Console.WriteLine($"\nDone in {clock.Elapsed.TotalSeconds:F1} s.");

// ---- data ----

// Each image lights a random subset of its rows (horizontal bars) or of its columns (vertical stripes), with 2% pixel noise.
static Matrix BarsAndStripes(int count, ulong seed)
{
    var rng = new RandomStream(seed);
    var m = new Matrix(count, Visible);
    for (int r = 0; r < count; r++)
    {
        bool horizontal = rng.NextFloat() < 0.5f;
        var on = new bool[Side];
        for (int i = 0; i < Side; i++) on[i] = rng.NextFloat() < 0.5f;
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                bool v = horizontal ? on[y] : on[x];
                if (rng.NextFloat() < 0.02f) v = !v;
                m[r, y * Side + x] = v ? 1f : 0f;
            }
    }
    return m;
}

static Matrix Corrupt(Matrix data, float flipProbability, ulong seed)
{
    var rng = new RandomStream(seed);
    var m = data.Clone();
    for (int i = 0; i < m.Data.Length; i++)
        if (rng.NextFloat() < flipProbability) m.Data[i] = 1f - m.Data[i];
    return m;
}

// Probability that a random corrupted row scores higher than a random normal row (ties count half).
static double Auc(float[] normal, float[] anomalous)
{
    double wins = 0;
    foreach (var a in anomalous)
        foreach (var n in normal)
            wins += a > n ? 1 : a == n ? 0.5 : 0;
    return wins / ((double)normal.Length * anomalous.Length);
}

static string Pixels(float[] row) => string.Concat(row.Select(v => v > 0.75f ? '#' : v > 0.25f ? '+' : '.'));

/// <summary>Prints every tenth epoch (reported on the training thread).</summary>
sealed class EpochLines : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress p)
    {
        if (p.Epoch % 10 == 0) Console.WriteLine($"  epoch {p.Epoch,2}/{p.Epochs}: reconstruction error {p.TrainingLoss:F4} ({p.Seconds:F1} s)");
    }
}

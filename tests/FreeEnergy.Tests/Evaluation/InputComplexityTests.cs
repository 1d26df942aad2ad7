using FreeEnergy.Estimation;
using FreeEnergy.Tensors;

namespace FreeEnergy.Tests.Evaluation;

public class InputComplexityTests
{
    private static float[] RandomImage(Random random, int width, int height, double ink)
    {
        var image = new float[width * height];
        // Values spread over [0, 1], so the threshold matters; ink is the fraction above 0.5.
        for (int i = 0; i < image.Length; i++) image[i] = random.NextDouble() < ink ? 0.5f + 0.5f * (float)random.NextDouble() + 1e-3f : 0.5f * (float)random.NextDouble();
        return image;
    }

    // Independent reference: the sequential KT probabilities of one context multiply to the closed form
    // Gamma(n0 + 1/2) Gamma(n1 + 1/2) / (pi Gamma(n + 1)) whatever the order, so L is a sum over contexts of final
    // counts. The counts come from a plain 2-D walk with a zero border.
    internal static double ClosedFormCodeLength(float[] image, int width, int height)
    {
        var zeros = new int[16];
        var ones = new int[16];
        int Pixel(int y, int x) => y < 0 || x < 0 || x >= width ? 0 : image[y * width + x] > 0.5f ? 1 : 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int context = Pixel(y, x - 1) + 2 * Pixel(y - 1, x - 1) + 4 * Pixel(y - 1, x) + 8 * Pixel(y - 1, x + 1);
                if (Pixel(y, x) == 1) ones[context]++; else zeros[context]++;
            }
        double logProbability = 0;
        for (int c = 0; c < 16; c++)
        {
            // log Gamma(n + 1/2) - log Gamma(1/2) = sum_{i<n} log(i + 1/2); Gamma(1/2)^2 = pi.
            for (int i = 0; i < zeros[c]; i++) logProbability += Math.Log(i + 0.5);
            for (int i = 0; i < ones[c]; i++) logProbability += Math.Log(i + 0.5);
            for (int i = 0; i < zeros[c] + ones[c]; i++) logProbability -= Math.Log(i + 1.0);
        }
        return -logProbability;
    }

    [Theory]
    [InlineData(28, 28, 0.15, 1)]
    [InlineData(7, 5, 0.5, 2)]
    [InlineData(1, 9, 0.3, 3)]
    [InlineData(13, 1, 0.7, 4)]
    public void CodeLengthMatchesTheClosedFormOfTheKtEstimator(int width, int height, double ink, int seed)
    {
        var random = new Random(seed);
        var complexity = new InputComplexity(width, height);
        for (int trial = 0; trial < 5; trial++)
        {
            var image = RandomImage(random, width, height, ink);
            double expected = ClosedFormCodeLength(image, width, height);
            Assert.Equal(expected, complexity.CodeLength(image), 1e-9 * Math.Max(1, expected));
        }
    }

    [Fact]
    public void ABlankImageCostsOnlyTheKtRedundancyOfOneContext()
    {
        // Every pixel is 0 in context 0: L = -log(Gamma(n + 1/2) / (sqrt(pi) Gamma(n + 1))) ~ (1/2) log(pi n).
        var complexity = new InputComplexity(10, 10);
        double expected = 0;
        for (int i = 0; i < 100; i++) expected -= Math.Log((i + 0.5) / (i + 1.0));
        Assert.Equal(expected, complexity.CodeLength(new float[100]), 1e-9);
        Assert.InRange(expected, 0.5 * Math.Log(Math.PI * 100) - 0.01, 0.5 * Math.Log(Math.PI * 100) + 0.01);
    }

    [Fact]
    public void MoreStructureCostsMore()
    {
        var random = new Random(5);
        var complexity = new InputComplexity(20, 20);
        var stripe = new float[400];
        for (int y = 0; y < 20; y++) stripe[y * 20 + 9] = stripe[y * 20 + 10] = 1f;
        var noise = RandomImage(random, 20, 20, 0.5);
        double blank = complexity.CodeLength(new float[400]);
        double line = complexity.CodeLength(stripe);
        double random400 = complexity.CodeLength(noise);
        Assert.True(blank < line && line < random400, $"blank {blank}, stripe {line}, noise {random400}");
        // Noise cannot be compressed much below one bit a pixel.
        Assert.InRange(random400, 0.9 * 400 * Math.Log(2), 1.1 * 400 * Math.Log(2));
    }

    [Fact]
    public void RowsAreScoredIndependentlyAndCorrectSubtracts()
    {
        var random = new Random(6);
        var complexity = new InputComplexity(6, 4);
        var data = new Matrix(3, 24);
        for (int r = 0; r < 3; r++) RandomImage(random, 6, 4, 0.4).CopyTo(data.Row(r));
        var lengths = complexity.CodeLengths(data.View);
        for (int r = 0; r < 3; r++) Assert.Equal(complexity.CodeLength(data.Row(r)), lengths[r], 1e-4);
        float[] scores = [10f, 20f, 30f];
        var corrected = InputComplexity.Correct(scores, lengths);
        for (int r = 0; r < 3; r++) Assert.Equal(scores[r] - lengths[r], corrected[r]);
    }

    [Fact]
    public void BadShapesThrow()
    {
        var complexity = new InputComplexity(4, 4);
        Assert.Throws<ArgumentException>(() => complexity.CodeLength(new float[15]));
        Assert.Throws<ArgumentException>(() => complexity.CodeLengths(new Matrix(2, 17).View));
        Assert.Throws<ArgumentException>(() => InputComplexity.Correct(new float[2], new float[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InputComplexity(0, 4));
    }
}

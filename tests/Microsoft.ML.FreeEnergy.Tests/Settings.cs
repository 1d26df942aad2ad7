namespace Microsoft.ML.FreeEnergy.Tests;

/// <summary>Small, fast training settings for each model kind.</summary>
internal static class Settings
{
    public static FreeEnergyTransformOptions For(FreeEnergyModelKind kind) => new()
    {
        ModelKind = kind,
        Seed = 7,
        Rbm = new FreeEnergyRbmOptions { HiddenUnits = 8, Epochs = 5, BatchSize = 20, LearningRate = 0.05f },
        Vae = new FreeEnergyVaeOptions { LatentDimensions = 3, UpperLatentDimensions = 2, Layers = [16], UpperLayers = [8], Epochs = 5, BatchSize = 20 },
    };

    public static FeatureRow[] DataFor(FreeEnergyModelKind kind)
        => kind == FreeEnergyModelKind.GaussianRbm ? SyntheticRows.Real(80, 3) : SyntheticRows.Binary(80, 0, 3);
}

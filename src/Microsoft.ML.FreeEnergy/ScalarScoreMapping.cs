using System.ComponentModel;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.FreeEnergy;

/// <summary>
/// The one-slot score vector that ONNX Runtime returns per row (OnnxTransformer gives a [N] output a vector column of
/// size 1). Infrastructure of <see cref="ScalarScoreMapping"/>; not meant to be used directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ScalarScoreInput
{
    /// <summary>The score as a vector of one value.</summary>
    [ColumnName(ScalarScoreMapping.VectorColumn)]
    [VectorType(1)]
    public float[] Score { get; set; } = new float[1];
}

/// <summary>The score as a Single. Infrastructure of <see cref="ScalarScoreMapping"/>; not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ScalarScoreOutput
{
    /// <summary>The score.</summary>
    [ColumnName(ScalarScoreMapping.ScalarColumn)]
    public float Score { get; set; }
}

/// <summary>
/// Turns the one-slot score vector into a Single column (what <c>AnomalyDetection.Evaluate</c> and scalar consumers
/// need), as a saveable custom mapping. ML.NET 5 saves the assembly of the mapping with the contract name and loads
/// and registers it itself on <c>mlContext.Model.Load</c>.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ScalarScoreMapping : CustomMappingFactory<ScalarScoreInput, ScalarScoreOutput>
{
    /// <summary>The contract name saved with pipelines.</summary>
    public const string ContractName = "FreeEnergyML.ScalarScore";

    /// <summary>The intermediate column holding the one-slot vector.</summary>
    public const string VectorColumn = "FreeEnergyML.ScoreVector";

    /// <summary>The intermediate column holding the Single.</summary>
    public const string ScalarColumn = "FreeEnergyML.ScoreScalar";

    /// <summary>The mapping: the vector's only value.</summary>
    public override Action<ScalarScoreInput, ScalarScoreOutput> GetMapping() => Map;

    private static void Map(ScalarScoreInput input, ScalarScoreOutput output) => output.Score = input.Score[0];
}

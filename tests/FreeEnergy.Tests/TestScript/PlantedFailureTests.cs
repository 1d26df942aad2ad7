namespace FreeEnergy.Tests.TestScript;

/// <summary>
/// A failure planted on purpose by <c>build/check-test-script.sh</c> (which sets FREEENERGY_PLANT_FAILURE=1) to prove that
/// <c>build/test.sh</c>, and so CI, exits non-zero and names a failing test with its message. Skipped in every other run.
/// </summary>
public sealed class PlantedFailureTests
{
    /// <summary>The variable that plants the failure; only the check of the test script sets it.</summary>
    public const string Variable = "FREEENERGY_PLANT_FAILURE";

    public sealed class PlantedFactAttribute : FactAttribute
    {
        public PlantedFactAttribute()
        {
            if (Environment.GetEnvironmentVariable(Variable) != "1") Skip = $"planted failure: runs only under build/check-test-script.sh ({Variable}=1)";
        }
    }

    [PlantedFact]
    public void Planted_failure_fails() =>
        Assert.Fail("planted failure: build/test.sh must report this test, this message and a non-zero exit");
}

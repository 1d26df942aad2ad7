namespace FreeEnergy;

/// <summary>Base type of every error the library raises on purpose (bad input, bad files, divergence).</summary>
public class FreeEnergyException : Exception
{
    /// <summary>Creates the exception with a message that says what is wrong and, where possible, how to fix it.</summary>
    public FreeEnergyException(string message) : base(message) { }

    /// <summary>Creates the exception with an inner cause.</summary>
    public FreeEnergyException(string message, Exception innerException) : base(message, innerException) { }
}

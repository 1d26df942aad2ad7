namespace FreeEnergy.Cli.Infrastructure;

/// <summary>Passes each report straight to an action on the reporting thread (unlike <see cref="Progress{T}"/>, which posts it).</summary>
internal sealed class ProgressRelay<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

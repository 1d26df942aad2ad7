namespace FreeEnergy.Estimation;

/// <summary>An estimate of log Z with its spread.</summary>
/// <param name="LogPartition">The estimate of log Z in nats.</param>
/// <param name="Lower">Lower end of the reported spread (AIS: log(mean w - 3 standard errors) + log Z_A; -infinity when that is not positive; exact: equal to the estimate).</param>
/// <param name="Upper">Upper end of the reported spread (AIS: log(mean w + 3 standard errors) + log Z_A).</param>
/// <param name="Method">"exact", "ais" or "tap".</param>
/// <param name="Runs">AIS runs (0 otherwise).</param>
/// <param name="Steps">AIS intermediate distributions (0 otherwise).</param>
public sealed record LogPartitionEstimate(double LogPartition, double Lower, double Upper, string Method, int Runs = 0, int Steps = 0);

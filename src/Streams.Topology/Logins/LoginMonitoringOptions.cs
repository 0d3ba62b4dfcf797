namespace Streams.Topology.Logins;

/// <summary>When repeated login failures become a security alert.</summary>
public sealed class LoginMonitoringOptions
{
    /// <summary>Failed attempts of one employee within <see cref="Window"/> that raise an alert.</summary>
    public int FailureThreshold { get; set; } = 5;

    /// <summary>Length of the tumbling window the failures are counted in.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);
}

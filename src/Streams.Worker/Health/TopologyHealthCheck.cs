using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Streams.Worker.Health;

/// <summary>Ready only while the Streamiz application is RUNNING (not while it starts, rebalances or after an ERROR).</summary>
internal sealed class TopologyHealthCheck(WorkerHealth health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = health.TopologyState;
        var data = new Dictionary<string, object> { ["state"] = state };
        return Task.FromResult(state == "RUNNING"
            ? HealthCheckResult.Healthy("The topologies run", data)
            : HealthCheckResult.Unhealthy($"The topology application is {state}", data: data));
    }
}

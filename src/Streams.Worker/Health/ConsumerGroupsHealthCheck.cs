using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Streams.Worker.Health;

/// <summary>Ready only when every consumer group of the worker has partitions assigned.</summary>
internal sealed class ConsumerGroupsHealthCheck(WorkerHealth health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var groups = health.GroupsAssigned;
        var data = groups.ToDictionary(g => g.Key, g => (object)g.Value, StringComparer.Ordinal);
        var waiting = groups.Where(g => !g.Value).Select(g => g.Key).Order(StringComparer.Ordinal).ToList();
        return Task.FromResult(groups.Count > 0 && waiting.Count == 0
            ? HealthCheckResult.Healthy("Every consumer group has partitions", data)
            : HealthCheckResult.Unhealthy(groups.Count == 0 ? "No consumer group has started" : $"Waiting for partitions: {string.Join(", ", waiting)}", data: data));
    }
}

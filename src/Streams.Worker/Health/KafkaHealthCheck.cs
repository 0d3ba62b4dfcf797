using Microsoft.Extensions.Diagnostics.HealthChecks;
using Streams.Worker.Infrastructure;

namespace Streams.Worker.Health;

/// <summary>Ready only while Kafka answers a metadata request (through the worker's one long-lived admin client).</summary>
internal sealed class KafkaHealthCheck(KafkaAdmin kafka) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await kafka.ReachableAsync().ConfigureAwait(false)
            ? HealthCheckResult.Healthy("Kafka answers")
            : HealthCheckResult.Unhealthy("Kafka does not answer a metadata request within 2 s");
}

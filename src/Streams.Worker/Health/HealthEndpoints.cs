using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Streams.Worker.Infrastructure;

namespace Streams.Worker.Health;

/// <summary>
/// <c>/health/live</c>: the process serves requests. <c>/health/ready</c>: Kafka answers, the topologies are RUNNING
/// and every consumer group has partitions; 503 with the failing checks otherwise.
/// </summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapWorkerHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health/live", () => Results.Ok(new { status = "live" }));
        endpoints.MapGet("/health/ready", async (WorkerHealth health, KafkaAdmin kafka) =>
        {
            var kafkaReachable = await kafka.ReachableAsync().ConfigureAwait(false);
            var topologyRunning = health.TopologyState == "RUNNING";
            var groups = health.GroupsAssigned;
            var ready = kafkaReachable && topologyRunning && groups.Count > 0 && groups.Values.All(a => a);
            var body = new { status = ready ? "ready" : "not ready", kafkaReachable, topology = health.TopologyState, consumerGroupsAssigned = groups };
            return ready ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }
}

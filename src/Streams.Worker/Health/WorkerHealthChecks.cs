using Microsoft.Extensions.DependencyInjection;

namespace Streams.Worker.Health;

internal static class WorkerHealthChecks
{
    /// <summary>What <c>/health/ready</c> checks beyond the process being up: Kafka answers, the topologies run, every group has partitions.</summary>
    public static IServiceCollection AddWorkerHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<WorkerHealth>();
        services.AddHealthChecks()
            .AddCheck<KafkaHealthCheck>("kafka")
            .AddCheck<TopologyHealthCheck>("topology")
            .AddCheck<ConsumerGroupsHealthCheck>("consumer-groups");
        return services;
    }
}

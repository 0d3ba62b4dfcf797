using Microsoft.Extensions.Hosting;
using Streams.Worker.Infrastructure;

namespace Streams.Worker.Hosting;

/// <summary>
/// Starts the worker's long-lived admin client (<see cref="KafkaAdmin"/>, which <c>/health/ready</c> asks) in the
/// background as soon as Kafka is known, so its connection is made while provisioning and the topologies start rather
/// than on the first readiness request, which would otherwise wait for a whole client start-up.
/// </summary>
internal sealed class KafkaAdminWarmUp(KafkaAdmin kafka) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Not awaited: nothing waits for it; ReachableAsync reports an unreachable Kafka as false, it does not throw.
        _ = kafka.ReachableAsync();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

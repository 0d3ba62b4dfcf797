using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Streams.Messaging.Publishing;
using Streams.Worker.Infrastructure;

namespace Streams.Worker.Hosting;

/// <summary>
/// Closes the worker's shared Kafka clients (the publisher, flushing what it holds, and the admin client) when the
/// host stops: registered after the embedded infrastructure and before the services that use the clients, it stops
/// after those services and before the broker, so no client outlives the broker it talks to.
/// </summary>
internal sealed class SharedClientsShutdown(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        services.GetService<EventPublisher>()?.Dispose();
        services.GetService<KafkaAdmin>()?.Dispose();
        return Task.CompletedTask;
    }
}

using Confluent.SchemaRegistry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streams.Consumers;
using Streams.Contracts.Topics;
using Streams.Messaging.Consuming;
using Streams.Worker.Infrastructure;

namespace Streams.Worker.Consumers;

/// <summary>
/// The independent consumer groups: each has its own group id and offsets, reads at its own pace, and neither
/// knows the other or the producers exist.
/// </summary>
public sealed class ConsumerGroupsService(
    StreamsEndpoints endpoints,
    ISchemaRegistryClient registry,
    AuditProjection audit,
    Notifier notifier,
    Health.WorkerHealth health,
    ILoggerFactory loggerFactory) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var groups = new (string GroupId, IReadOnlyList<string> Topics, Func<ConsumedEvent, CancellationToken, Task> Handler)[]
        {
            (AuditProjection.GroupId, TopicCatalog.All.Select(t => t.Name).ToList(), audit.HandleAsync),
            (Notifier.GroupId, [TopicCatalog.SecurityAlerts.Name, TopicCatalog.Orders.Name], notifier.HandleAsync),
        };

        foreach (var group in groups)
        {
            health.SetAssigned(group.GroupId, false);
        }

        return Task.WhenAll(groups.Select(group => Task.Run(async () =>
        {
            var options = new EventConsumerOptions
            {
                BootstrapServers = endpoints.BootstrapServers,
                GroupId = group.GroupId,
                Topics = group.Topics,
                DeadLetterTopic = Provisioning.DeadLetterTopic,
                AssignmentChanged = count => health.SetAssigned(group.GroupId, count > 0),
            };
            foreach (var (name, value) in endpoints.ClientSettings(group.GroupId))
            {
                options.Kafka[name] = value;
            }

            using var consumer = new EventConsumer(
                options,
                registry,
                group.Handler,
                loggerFactory.CreateLogger($"Streams.Worker.Consumers.{group.GroupId}"));
            await consumer.RunAsync(stoppingToken).ConfigureAwait(false);
        }, CancellationToken.None)));
    }
}

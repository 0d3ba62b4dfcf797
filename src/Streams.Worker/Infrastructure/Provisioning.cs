using Avro.Specific;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streams.Contracts.Topics;

namespace Streams.Worker.Infrastructure;

/// <summary>
/// Before anything runs: creates the catalog's topics that do not exist yet, and registers every contract schema
/// under its subject. Both are idempotent; a schema the registry refuses as incompatible stops the worker with the
/// registry's reason, before a single event is written with it.
/// </summary>
public sealed partial class Provisioning(StreamsEndpoints endpoints, ISchemaRegistryClient registry, ILogger<Provisioning> logger) : IHostedService
{
    public const string DeadLetterTopic = "dead-letters";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await CreateTopicsAsync().ConfigureAwait(false);
        await RegisterSchemasAsync().ConfigureAwait(false);
    }

    private async Task CreateTopicsAsync()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = endpoints.BootstrapServers }).Build();
        var existing = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic).ToHashSet(StringComparer.Ordinal);
        var wanted = TopicCatalog.All
            .Select(t => new TopicSpecification { Name = t.Name, NumPartitions = t.Partitions, ReplicationFactor = -1, Configs = new Dictionary<string, string>(t.Configs) })
            .Append(new TopicSpecification { Name = DeadLetterTopic, NumPartitions = 1, ReplicationFactor = -1, Configs = new() { ["retention.ms"] = "-1" } })
            .Where(t => !existing.Contains(t.Name))
            .ToList();
        if (wanted.Count == 0)
        {
            return;
        }

        try
        {
            await admin.CreateTopicsAsync(wanted).ConfigureAwait(false);
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Another instance created them first.
        }

        LogTopicsCreated(logger, string.Join(", ", wanted.Select(t => t.Name)));
    }

    private async Task RegisterSchemasAsync()
    {
        foreach (var topic in TopicCatalog.All)
        {
            foreach (var type in topic.ValueTypes)
            {
                var schema = ((ISpecificRecord)Activator.CreateInstance(type)!).Schema;
                var subject = topic.SubjectNameStrategy == SubjectNameStrategy.TopicRecord ? $"{topic.Name}-{schema.Fullname}" : $"{topic.Name}-value";
                var id = await registry.RegisterSchemaAsync(subject, new Schema(schema.ToString(), SchemaType.Avro)).ConfigureAwait(false);
                LogSchemaRegistered(logger, subject, id);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topics {Topics}")]
    private static partial void LogTopicsCreated(ILogger logger, string topics);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schema of {Subject} is id {Id}")]
    private static partial void LogSchemaRegistered(ILogger logger, string subject, int id);
}

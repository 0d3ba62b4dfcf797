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
        // Independent of each other (topics go to Kafka, schemas to the registry), so side by side: the start waits for
        // the slower of the two, not their sum. The admin client's first calls block, hence its own pool thread.
        await Task.WhenAll(Task.Run(CreateTopicsAsync, CancellationToken.None), RegisterSchemasAsync()).ConfigureAwait(false);
    }

    private async Task CreateTopicsAsync()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig(endpoints.ClientSettings("provisioning"))).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        var existing = metadata.Topics.Select(t => t.Topic).ToHashSet(StringComparer.Ordinal);
        await ReportDriftAsync(admin, metadata).ConfigureAwait(false);
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

    /// <summary>
    /// Existing topics that differ from the catalog are reported, not changed: partitions cannot shrink and a config
    /// change on a live topic is an operator's decision (<c>streams topics apply</c> shows and applies the diff).
    /// </summary>
    private async Task ReportDriftAsync(IAdminClient admin, Confluent.Kafka.Metadata metadata)
    {
        var present = TopicCatalog.All.Where(t => metadata.Topics.Any(m => m.Topic == t.Name)).ToList();
        if (present.Count == 0)
        {
            return;
        }

        var described = await admin.DescribeConfigsAsync(present.Select(t => new ConfigResource { Type = ResourceType.Topic, Name = t.Name })).ConfigureAwait(false);
        foreach (var topic in present)
        {
            var partitions = metadata.Topics.Single(m => m.Topic == topic.Name).Partitions.Count;
            if (partitions != topic.Partitions)
            {
                LogDrift(logger, topic.Name, "partitions", partitions.ToString(System.Globalization.CultureInfo.InvariantCulture), topic.Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            var entries = described.Single(d => d.ConfigResource.Name == topic.Name).Entries;
            foreach (var (name, wanted) in topic.Configs)
            {
                if (entries.TryGetValue(name, out var actual) && actual.Value != wanted)
                {
                    LogDrift(logger, topic.Name, name, actual.Value, wanted);
                }
            }
        }
    }

    private async Task RegisterSchemasAsync()
    {
        foreach (var topic in TopicCatalog.All)
        {
            foreach (var type in topic.ValueTypes)
            {
                var schema = ((ISpecificRecord)Activator.CreateInstance(type)!).Schema;
                var subject = topic.SubjectNaming == SubjectNaming.TopicRecord ? $"{topic.Name}-{schema.Fullname}" : $"{topic.Name}-value";
                var id = await registry.RegisterSchemaAsync(subject, new Schema(schema.ToString(), SchemaType.Avro)).ConfigureAwait(false);
                LogSchemaRegistered(logger, subject, id);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topic {Topic} drifted from the catalog: {Setting} is {Actual}, the catalog wants {Wanted} (streams topics apply shows the fix)")]
    private static partial void LogDrift(ILogger logger, string topic, string setting, string actual, string wanted);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topics {Topics}")]
    private static partial void LogTopicsCreated(ILogger logger, string topics);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schema of {Subject} is id {Id}")]
    private static partial void LogSchemaRegistered(ILogger logger, string subject, int id);
}

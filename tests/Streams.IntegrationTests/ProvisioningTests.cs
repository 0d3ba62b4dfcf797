using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Streams.Contracts.Topics;
using Streams.Worker;
using Streams.Worker.Infrastructure;

namespace Streams.IntegrationTests;

/// <summary>Start-up provisioning on a broker and registry of its own: what it creates, and what it only reports.</summary>
public sealed class ProvisioningTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-provisioning-" + Guid.NewGuid().ToString("N"));
    private EmbeddedInfrastructure _infrastructure = null!;
    private CachedSchemaRegistryClient _registry = null!;

    public async Task InitializeAsync()
    {
        _infrastructure = await EmbeddedInfrastructure.StartAsync(
            new StreamsOptions { DataDirectory = _dataDirectory, EmbeddedKafkaPort = 0, EmbeddedRegistryPort = 0 },
            NullLoggerFactory.Instance);
        _registry = new CachedSchemaRegistryClient(_infrastructure.Endpoints.SchemaRegistry);
    }

    public async Task DisposeAsync()
    {
        _registry.Dispose();
        await _infrastructure.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task A_topic_that_drifted_from_the_catalog_is_reported_and_left_as_it_is_while_missing_topics_are_created()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _infrastructure.Endpoints.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = TopicCatalog.Orders.Name, NumPartitions = 2, Configs = new() { ["retention.ms"] = "86400000" } }]);
        var logger = new FakeLogger<Provisioning>();

        await new Provisioning(_infrastructure.Endpoints, _registry, logger).StartAsync(CancellationToken.None);

        var drift = logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message).ToList();
        Assert.Equal(2, drift.Count);
        Assert.Contains(drift, m => m.StartsWith("Topic orders drifted from the catalog: partitions is 2, the catalog wants 6", StringComparison.Ordinal));
        Assert.Contains(drift, m => m.StartsWith("Topic orders drifted from the catalog: retention.ms is 86400000, the catalog wants -1", StringComparison.Ordinal));

        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        Assert.Equal(2, metadata.Topics.Single(t => t.Topic == TopicCatalog.Orders.Name).Partitions.Count);
        foreach (var topic in TopicCatalog.All.Where(t => t != TopicCatalog.Orders))
        {
            Assert.Equal(topic.Partitions, metadata.Topics.Single(t => t.Topic == topic.Name).Partitions.Count);
        }

        var orders = (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = TopicCatalog.Orders.Name }])).Single();
        Assert.Equal("86400000", orders.Entries["retention.ms"].Value);
    }

    [Fact]
    public async Task Provisioning_twice_creates_nothing_the_second_time_and_keeps_the_schema_ids()
    {
        var first = new FakeLogger<Provisioning>();
        await new Provisioning(_infrastructure.Endpoints, _registry, first).StartAsync(CancellationToken.None);
        var subjects = await _registry.GetAllSubjectsAsync();
        var ids = await Task.WhenAll(subjects.Select(async s => (await _registry.GetLatestSchemaAsync(s)).Id));

        var second = new FakeLogger<Provisioning>();
        await new Provisioning(_infrastructure.Endpoints, _registry, second).StartAsync(CancellationToken.None);

        Assert.Contains(first.Collector.GetSnapshot(), r => r.Message.StartsWith("Created topics", StringComparison.Ordinal));
        Assert.DoesNotContain(second.Collector.GetSnapshot(), r => r.Message.StartsWith("Created topics", StringComparison.Ordinal) || r.Level >= LogLevel.Warning);
        Assert.Equal(TopicCatalog.All.Sum(t => t.ValueTypes.Count), subjects.Count);
        Assert.Equal(ids, await Task.WhenAll(subjects.Select(async s => (await _registry.GetLatestSchemaAsync(s)).Id)));
        foreach (var subject in subjects)
        {
            Assert.Single(await _registry.GetSubjectVersionsAsync(subject));
        }
    }
}

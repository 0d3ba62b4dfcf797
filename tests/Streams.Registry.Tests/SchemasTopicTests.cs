using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Registry.Tests.Support;

namespace Streams.Registry.Tests;

/// <summary>The registry's own topic: made when missing, used as it is when present, refused when it has another shape.</summary>
public sealed class SchemasTopicTests
{
    [Fact]
    public async Task A_missing_topic_is_created_compacted_with_one_partition_and_found_on_the_next_start()
    {
        await using var server = await RegistryServer.StartAsync();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = server.Broker.BootstrapServers }).Build();
        var topic = Assert.Single(admin.GetMetadata("_schemas", TimeSpan.FromSeconds(10)).Topics);
        Assert.Single(topic.Partitions);
        var configs = Assert.Single(await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = "_schemas" }]));
        Assert.Equal("compact", configs.Entries["cleanup.policy"].Value);

        // A second instance finds it and starts.
        await using var second = await server.StartRegistryAsync();
        Assert.NotNull(second.Url);
    }

    [Fact]
    public async Task A_topic_with_several_partitions_stops_the_start_with_the_reason()
    {
        await using var server = await RegistryServer.StartAsync();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = server.Broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "_schemas-three", NumPartitions = 3, ReplicationFactor = 1 }]);
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => server.StartRegistryAsync(o => o.Topic = "_schemas-three"));
        Assert.Contains("has 3 partitions", refused.Message, StringComparison.Ordinal);
    }
}

using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests;

public sealed class TopicAdminTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestBroker _broker = null!;
    private IAdminClient _admin = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["log.retention.hours"] = "48" });
        _admin = Clients.Admin(_broker.BootstrapServers);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task Created_topic_is_listed_with_its_partitions_led_by_node_1()
    {
        await _admin.CreateTopicsAsync([new TopicSpecification { Name = "orders", NumPartitions = 6, ReplicationFactor = 1 }]);

        var metadata = _admin.GetMetadata("orders", TimeSpan.FromSeconds(5));
        var topic = Assert.Single(metadata.Topics);
        Assert.Equal(6, topic.Partitions.Count);
        Assert.All(topic.Partitions, p => Assert.Equal(1, p.Leader));
        Assert.Equal(1, Assert.Single(metadata.Brokers).BrokerId);
    }

    [Fact]
    public async Task Default_partitions_and_replication_factor_are_accepted()
    {
        await _admin.CreateTopicsAsync([new TopicSpecification { Name = "defaults", NumPartitions = -1, ReplicationFactor = -1 }]);

        Assert.Single(_admin.GetMetadata("defaults", TimeSpan.FromSeconds(5)).Topics[0].Partitions);
    }

    [Fact]
    public async Task Replication_factor_above_one_is_rejected_like_a_one_node_cluster()
    {
        var ex = await Assert.ThrowsAsync<CreateTopicsException>(() =>
            _admin.CreateTopicsAsync([new TopicSpecification { Name = "replicated", NumPartitions = 1, ReplicationFactor = 3 }]));

        Assert.Equal(ErrorCode.InvalidReplicationFactor, ex.Results[0].Error.Code);
    }

    [Fact]
    public async Task Creating_an_existing_topic_fails_with_TOPIC_ALREADY_EXISTS()
    {
        await _admin.CreateTopicsAsync([new TopicSpecification { Name = "twice", NumPartitions = 1 }]);
        var ex = await Assert.ThrowsAsync<CreateTopicsException>(() => _admin.CreateTopicsAsync([new TopicSpecification { Name = "twice", NumPartitions = 1 }]));

        Assert.Equal(ErrorCode.TopicAlreadyExists, ex.Results[0].Error.Code);
    }

    [Fact]
    public async Task Invalid_names_and_configs_are_rejected()
    {
        var badName = await Assert.ThrowsAsync<CreateTopicsException>(() => _admin.CreateTopicsAsync([new TopicSpecification { Name = "no spaces!", NumPartitions = 1 }]));
        var badConfig = await Assert.ThrowsAsync<CreateTopicsException>(() => _admin.CreateTopicsAsync([
            new TopicSpecification { Name = "bad-config", NumPartitions = 1, Configs = new() { ["retention.ms"] = "soon" } }]));
        var unknownConfig = await Assert.ThrowsAsync<CreateTopicsException>(() => _admin.CreateTopicsAsync([
            new TopicSpecification { Name = "unknown-config", NumPartitions = 1, Configs = new() { ["no.such.config"] = "1" } }]));

        Assert.Equal(ErrorCode.TopicException, badName.Results[0].Error.Code);
        Assert.Equal(ErrorCode.InvalidConfig, badConfig.Results[0].Error.Code);
        Assert.Equal(ErrorCode.InvalidConfig, unknownConfig.Results[0].Error.Code);
    }

    [Fact]
    public async Task Validate_only_creates_nothing()
    {
        await _admin.CreateTopicsAsync([new TopicSpecification { Name = "dry-run", NumPartitions = 3 }], new CreateTopicsOptions { ValidateOnly = true });

        Assert.DoesNotContain(_admin.GetMetadata(TimeSpan.FromSeconds(5)).Topics, t => t.Topic == "dry-run");
    }

    [Fact]
    public async Task Describe_configs_reports_overrides_broker_settings_and_defaults_with_their_sources()
    {
        await _admin.CreateTopicsAsync([new TopicSpecification { Name = "described", NumPartitions = 1, Configs = new() { ["cleanup.policy"] = "compact" } }]);

        var result = (await _admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = "described" }]))[0];

        var policy = result.Entries["cleanup.policy"];
        Assert.Equal("compact", policy.Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, policy.Source);
        Assert.False(policy.IsDefault);

        var retention = result.Entries["retention.ms"];
        Assert.Equal((48L * 3_600_000).ToString(), retention.Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, retention.Source);
        Assert.Contains(retention.Synonyms, s => s.Name == "log.retention.hours" && s.Value == "48");

        var maxBytes = result.Entries["max.message.bytes"];
        Assert.Equal("1048588", maxBytes.Value);
        Assert.True(maxBytes.IsDefault);
    }

    [Fact]
    public async Task Broker_configs_are_described_read_only_except_the_dynamic_ones()
    {
        var result = (await _admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Broker, Name = "1" }]))[0];

        Assert.Equal("48", result.Entries["log.retention.hours"].Value);
        Assert.Equal("true", result.Entries["auto.create.topics.enable"].Value);
        Assert.True(result.Entries["auto.create.topics.enable"].IsReadOnly);
        Assert.True(result.Entries["log.retention.hours"].IsReadOnly);
        Assert.False(result.Entries["log.retention.ms"].IsReadOnly);
        Assert.False(result.Entries["max.connections.per.ip"].IsReadOnly);
    }

    [Fact]
    public async Task Alter_configs_replaces_overrides_and_incremental_alter_edits_them()
    {
        await _admin.CreateTopicsAsync([new TopicSpecification { Name = "altered", NumPartitions = 1, Configs = new() { ["retention.ms"] = "1000" } }]);
        var resource = new ConfigResource { Type = ResourceType.Topic, Name = "altered" };

#pragma warning disable CS0618 // AlterConfigs is deprecated in the client but still what older tools send.
        await _admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>> { [resource] = [new ConfigEntry { Name = "segment.bytes", Value = "1048576" }] });
#pragma warning restore CS0618
        var afterReplace = (await _admin.DescribeConfigsAsync([resource]))[0];
        Assert.Equal("1048576", afterReplace.Entries["segment.bytes"].Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, afterReplace.Entries["retention.ms"].Source); // the override is gone

        await _admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] =
            [
                new ConfigEntry { Name = "retention.ms", Value = "-1", IncrementalOperation = AlterConfigOpType.Set },
                new ConfigEntry { Name = "segment.bytes", IncrementalOperation = AlterConfigOpType.Delete },
                new ConfigEntry { Name = "cleanup.policy", Value = "compact", IncrementalOperation = AlterConfigOpType.Append },
            ],
        });
        var afterIncremental = (await _admin.DescribeConfigsAsync([resource]))[0];
        Assert.Equal("-1", afterIncremental.Entries["retention.ms"].Value);
        Assert.True(afterIncremental.Entries["segment.bytes"].IsDefault);
        Assert.Equal("delete,compact", afterIncremental.Entries["cleanup.policy"].Value);
    }

    [Fact]
    public async Task Create_partitions_grows_a_topic_and_refuses_to_shrink_it()
    {
        await _admin.CreateTopicsAsync([new TopicSpecification { Name = "growing", NumPartitions = 2 }]);

        await _admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "growing", IncreaseTo = 5 }]);
        var ex = await Assert.ThrowsAsync<CreatePartitionsException>(() => _admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "growing", IncreaseTo = 3 }]));

        Assert.Equal(5, _admin.GetMetadata("growing", TimeSpan.FromSeconds(5)).Topics[0].Partitions.Count);
        Assert.Equal(ErrorCode.InvalidPartitions, ex.Results[0].Error.Code);
    }

    [Fact]
    public async Task Deleted_topic_disappears_with_its_data()
    {
        await _admin.CreateTopicsAsync([new TopicSpecification { Name = "doomed", NumPartitions = 2 }]);
        using (var producer = Clients.Producer<Null, string>(_broker.BootstrapServers))
        {
            await producer.ProduceAsync("doomed", new Message<Null, string> { Value = "bye" });
        }

        await _admin.DeleteTopicsAsync(["doomed"]);

        Assert.DoesNotContain(_admin.GetMetadata(TimeSpan.FromSeconds(5)).Topics, t => t.Topic == "doomed");
        Assert.False(Directory.Exists(Path.Combine(_broker.DataDirectory, "doomed-0")));
        var ex = await Assert.ThrowsAsync<DeleteTopicsException>(() => _admin.DeleteTopicsAsync(["doomed"]));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, ex.Results[0].Error.Code);
    }

    [Fact]
    public async Task With_topic_deletion_disabled_deletes_answer_TOPIC_DELETION_DISABLED_and_keep_the_topic()
    {
        await using var broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["delete.topic.enable"] = "false" });
        using var admin = Clients.Admin(broker.BootstrapServers);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "kept", NumPartitions = 1 }]);

        var ex = await Assert.ThrowsAsync<DeleteTopicsException>(() => admin.DeleteTopicsAsync(["kept"]));

        Assert.Equal(ErrorCode.TopicDeletionDisabled, ex.Results[0].Error.Code);
        Assert.Single(admin.GetMetadata("kept", TimeSpan.FromSeconds(5)).Topics, t => t.Error.Code == ErrorCode.NoError);
    }

    [Fact]
    public async Task Describe_cluster_shows_the_single_node_as_controller()
    {
        var cluster = await _admin.DescribeClusterAsync();

        Assert.Equal(_broker.Broker.ClusterId, cluster.ClusterId);
        Assert.Equal(1, Assert.Single(cluster.Nodes).Id);
        Assert.Equal(1, cluster.Controller?.Id);
    }

    [Fact]
    public async Task Delete_records_moves_the_log_start_offset()
    {
        await _admin.CreateTopicsAsync([new TopicSpecification { Name = "trimmed", NumPartitions = 1 }]);
        using (var producer = Clients.Producer<Null, int>(_broker.BootstrapServers))
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync("trimmed", new Message<Null, int> { Value = i });
            }
        }

        var result = await _admin.DeleteRecordsAsync([new TopicPartitionOffset("trimmed", 0, 4)]);

        Assert.Equal(4, result[0].Offset.Value);
        var read = Clients.ReadAll<Null, int>(_broker.BootstrapServers, "trimmed", 6);
        Assert.Equal([4, 5, 6, 7, 8, 9], read.Select(r => r.Message.Value));
        using var consumer = Clients.Consumer<Null, int>(_broker.BootstrapServers);
        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition("trimmed", 0), TimeSpan.FromSeconds(5));
        Assert.Equal(4, watermarks.Low.Value);
        Assert.Equal(10, watermarks.High.Value);
    }
}

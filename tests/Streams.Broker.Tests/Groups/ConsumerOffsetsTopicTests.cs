using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using BrokerError = Streams.Broker.Protocol.ErrorCode;

namespace Streams.Broker.Tests.Groups;

/// <summary>
/// <c>__consumer_offsets</c> is the coordinator's memory: clients see it as internal, may read it, but may not
/// write to it, trim it or delete it (Kafka answers INVALID_TOPIC_EXCEPTION). Every test ends by restarting the
/// broker and reading the committed offset back, so a refusal that still damaged the topic would show.
/// </summary>
public sealed class ConsumerOffsetsTopicTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string OffsetsTopic = "__consumer_offsets";
    private const string Topic = "tracked";
    private const string Group = "trackers";
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic);
        await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 1, 10);
        using var admin = Clients.Admin(_broker.BootstrapServers);
        await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(Group, [new TopicPartitionOffset(Topic, 0, 7)])]);
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Metadata_reports_the_consumer_offsets_topic_as_internal_and_user_topics_as_not()
    {
        await Clients.CreateTopicAsync(_broker.BootstrapServers, "__looks_internal");
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        var topics = await RawRequests.MetadataTopicsAsync(connection);

        Assert.Contains(topics, t => t is { Name: OffsetsTopic, IsInternal: true });
        Assert.Contains(topics, t => t is { Name: Topic, IsInternal: false });

        // Only Kafka's own internal topics are internal, not every name that starts with "__".
        Assert.Contains(topics, t => t is { Name: "__looks_internal", IsInternal: false });
        await AssertCommittedOffsetSurvivesRestartAsync();
    }

    [Fact]
    public async Task A_client_asking_for_the_consumer_offsets_topic_first_gets_it_created_as_the_coordinator_needs_it()
    {
        await using var fresh = await TestBroker.StartAsync(output);
        using var connection = await RawConnection.ConnectAsync(fresh.Broker);

        var topics = await RawRequests.MetadataTopicsAsync(connection, [OffsetsTopic, "__transaction_state"], allowAutoCreate: true);

        Assert.Equal(new MetadataTopic(OffsetsTopic, true, BrokerError.None, 1), topics.Single(t => t.Name == OffsetsTopic));

        // Compacted, not time-retained: offsets must outlive log.retention.hours.
        using var admin = Clients.Admin(fresh.BootstrapServers);
        var configs = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = OffsetsTopic }]);
        Assert.Equal("compact", configs[0].Entries["cleanup.policy"].Value);

        // No transaction coordinator yet: its topic is not made an ordinary one in the meantime.
        Assert.Equal(BrokerError.UnknownTopicOrPartition, topics.Single(t => t.Name == "__transaction_state").Error);
    }

    [Fact]
    public async Task Producing_to_the_consumer_offsets_topic_is_refused()
    {
        using var producer = Clients.Producer<byte[], byte[]>(_broker.BootstrapServers, c => c.MessageTimeoutMs = 10_000);

        var refused = await Assert.ThrowsAsync<ProduceException<byte[], byte[]>>(() =>
            producer.ProduceAsync(new TopicPartition(OffsetsTopic, 0), new Message<byte[], byte[]> { Key = "not a group record"u8.ToArray(), Value = null! }));

        Assert.Equal(ErrorCode.TopicException, refused.Error.Code);
        await AssertCommittedOffsetSurvivesRestartAsync();
    }

    [Fact]
    public async Task Deleting_the_consumer_offsets_topic_is_refused()
    {
        using var admin = Clients.Admin(_broker.BootstrapServers);

        var refused = await Assert.ThrowsAsync<DeleteTopicsException>(() => admin.DeleteTopicsAsync([OffsetsTopic]));

        Assert.Equal(ErrorCode.TopicException, refused.Results[0].Error.Code);
        await AssertCommittedOffsetSurvivesRestartAsync();
    }

    [Fact]
    public async Task Deleting_records_of_the_consumer_offsets_topic_is_refused()
    {
        using var admin = Clients.Admin(_broker.BootstrapServers);

        var refused = await Assert.ThrowsAsync<DeleteRecordsException>(() =>
            admin.DeleteRecordsAsync([new TopicPartitionOffset(OffsetsTopic, 0, Offset.End)]));

        Assert.Equal(ErrorCode.TopicException, refused.Results[0].Error.Code);
        await AssertCommittedOffsetSurvivesRestartAsync();
    }

    private async Task AssertCommittedOffsetSurvivesRestartAsync()
    {
        await _broker.RestartAsync();
        using var admin = Clients.Admin(_broker.BootstrapServers);
        var committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(Group, [new TopicPartition(Topic, 0)])]);
        Assert.Equal(7, committed[0].Partitions[0].Offset.Value);
    }
}

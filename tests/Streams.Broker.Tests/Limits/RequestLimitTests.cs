using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using ErrorCode = Streams.Broker.Protocol.ErrorCode;

namespace Streams.Broker.Tests.Limits;

/// <summary>Requests that ask for too much get Kafka's error for it, before the broker does the work.</summary>
public sealed class RequestLimitTests(ITestOutputHelper output)
{
    private static async Task<List<(string Topic, ErrorCode Error, string? Reason)>> CreateTopicsAsync(string bootstrap, params TopicSpecification[] topics)
    {
        using var admin = Clients.Admin(bootstrap);
        try
        {
            await admin.CreateTopicsAsync(topics);
            return [.. topics.Select(t => (t.Name, ErrorCode.None, (string?)null))];
        }
        catch (CreateTopicsException ex)
        {
            return [.. ex.Results.Select(r => (r.Topic, (ErrorCode)(int)r.Error.Code, (string?)r.Error.Reason))];
        }
    }

    /// <summary>CreateTopics v4 over a raw connection: librdkafka refuses partition counts over 100000 before sending.</summary>
    private static async Task<List<(string Topic, ErrorCode Error, string? Reason)>> RawCreateTopicsAsync(TestBroker broker, params (string Name, int Partitions)[] topics)
    {
        var request = new CreateTopicsRequest { TimeoutMs = 10_000 };
        foreach (var (name, partitions) in topics)
        {
            request.Topics.Add(new CreateTopicsRequest.Topic { Name = name, NumPartitions = partitions, ReplicationFactor = 1 });
        }

        using var connection = await RawConnection.ConnectAsync(broker.Broker);
        var response = await connection.SendAsync<CreateTopicsRequest, CreateTopicsResponse>(request, 4);
        return [.. response!.Topics.Select(t => (t.Name, (ErrorCode)t.ErrorCode, t.ErrorMessage))];
    }

    private static async Task<ErrorCode> RawCreatePartitionsAsync(TestBroker broker, string topic, int count)
    {
        var request = new CreatePartitionsRequest { TimeoutMs = 10_000 };
        request.Topics.Add(new CreatePartitionsRequest.Topic { Name = topic, Count = count });
        using var connection = await RawConnection.ConnectAsync(broker.Broker);
        var response = await connection.SendAsync<CreatePartitionsRequest, CreatePartitionsResponse>(request, 1);
        return (ErrorCode)response!.Results.Single().ErrorCode;
    }

    private static async Task<int> PartitionCountAsync(string bootstrap, string topic)
    {
        using var admin = Clients.Admin(bootstrap);
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        return metadata.Topics.Single().Partitions.Count;
    }

    [Fact]
    public async Task CreateTopics_with_2_pow_31_partitions_is_refused_before_anything_is_persisted()
    {
        await using var broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["auto.create.topics.enable"] = "false" });
        var results = await RawCreateTopicsAsync(broker, ("huge", int.MaxValue), ("fine", 2));
        Assert.Equal(ErrorCode.PolicyViolation, results.Single(r => r.Topic == "huge").Error);

        // The request as a whole is over the per-request limit, so neither topic is created (Kafka refuses the batch).
        Assert.Equal(ErrorCode.PolicyViolation, results.Single(r => r.Topic == "fine").Error);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(broker.DataDirectory, "*", SearchOption.AllDirectories), p => p.Contains("huge", StringComparison.Ordinal));

        await broker.RestartAsync();
        await Clients.CreateTopicAsync(broker.BootstrapServers, "after", partitions: 2);
        Assert.Equal(2, await PartitionCountAsync(broker.BootstrapServers, "after"));
    }

    [Fact]
    public async Task Broker_wide_partition_limit_is_checked_across_topics()
    {
        await using var broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["max.broker.partitions"] = "12" });
        await Clients.CreateTopicAsync(broker.BootstrapServers, "first", partitions: 8);
        var results = await CreateTopicsAsync(broker.BootstrapServers, new TopicSpecification { Name = "second", NumPartitions = 5, ReplicationFactor = 1 });
        Assert.Equal(ErrorCode.PolicyViolation, results.Single().Error);
        Assert.Contains("max.broker.partitions", results.Single().Reason, StringComparison.Ordinal);

        // validate_only answers the same, and a topic that fits is created.
        await Clients.CreateTopicAsync(broker.BootstrapServers, "third", partitions: 4);
    }

    [Fact]
    public async Task Auto_creation_by_metadata_stops_at_the_broker_wide_partition_limit()
    {
        await using var broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["max.broker.partitions"] = "3" });
        var request = new MetadataRequest { AllowAutoTopicCreation = true, Topics = [.. Enumerable.Range(0, 5).Select(i => new MetadataRequest.Topic { Name = $"auto-{i}" })] };
        using var connection = await RawConnection.ConnectAsync(broker.Broker);
        var response = await connection.SendAsync<MetadataRequest, MetadataResponse>(request, 8);
        var errors = response!.Topics.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => (ErrorCode)t.ErrorCode).ToList();
        Assert.Equal([ErrorCode.None, ErrorCode.None, ErrorCode.None, ErrorCode.PolicyViolation, ErrorCode.PolicyViolation], errors);
    }

    [Fact]
    public async Task CreatePartitions_to_2_pow_31_is_refused_and_the_topic_keeps_serving()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, "grow", partitions: 1);
        Assert.Equal(ErrorCode.PolicyViolation, await RawCreatePartitionsAsync(broker, "grow", int.MaxValue));

        await broker.RestartAsync();
        Assert.Equal(1, await PartitionCountAsync(broker.BootstrapServers, "grow"));
        using var admin2 = Clients.Admin(broker.BootstrapServers);
        await admin2.CreatePartitionsAsync([new PartitionsSpecification { Topic = "grow", IncreaseTo = 3 }]);
        Assert.Equal(3, await PartitionCountAsync(broker.BootstrapServers, "grow"));
    }

    [Fact]
    public async Task Fetch_of_one_partition_listed_many_times_is_answered_once_within_fetch_max_bytes()
    {
        await using var broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["fetch.max.bytes"] = "4096" });
        await Clients.CreateTopicAsync(broker.BootstrapServers, "data");
        using (var producer = Clients.Producer<Null, string>(broker.BootstrapServers))
        {
            for (var i = 0; i < 20; i++)
            {
                await producer.ProduceAsync("data", new Message<Null, string> { Value = new string('x', 1000) });
            }
        }

        var request = new FetchRequest { MaxWaitMs = 0, MinBytes = 0, MaxBytes = int.MaxValue, SessionEpoch = -1 };
        var topic = new FetchRequest.FetchTopic { Topic = "data" };
        for (var i = 0; i < 5000; i++)
        {
            topic.Partitions.Add(new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = int.MaxValue });
        }

        request.Topics.Add(topic);
        using var connection = await RawConnection.ConnectAsync(broker.Broker);
        var response = await connection.SendAsync<FetchRequest, FetchResponse>(request, 11);
        var partition = Assert.Single(Assert.Single(response!.Responses).Partitions);
        Assert.Equal(ErrorCode.None, (ErrorCode)partition.ErrorCode);
        var bytes = ((MemoryRecordSet)partition.Records!).Batches.Length;
        Assert.InRange(bytes, 1, 4096);
    }

    [Fact]
    public async Task OffsetCommit_repeating_a_long_group_id_is_refused_before_it_is_stored()
    {
        await using var broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(broker.BootstrapServers, "committed");
        var groupId = new string('g', 30_000);
        var request = new OffsetCommitRequest { GroupId = groupId, GenerationIdOrMemberEpoch = -1, MemberId = "" };
        var topic = new OffsetCommitRequest.Topic { Name = "committed" };
        for (var i = 0; i < 2000; i++)
        {
            topic.Partitions.Add(new OffsetCommitRequest.Partition { PartitionIndex = 0, CommittedOffset = i });
        }

        request.Topics.Add(topic);
        using var connection = await RawConnection.ConnectAsync(broker.Broker);
        // 2000 keys of 30 KB would build a 60 MB batch; the size is measured first and the commit refused as a whole.
        var response = await connection.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(request, 7);
        Assert.All(response!.Topics.Single().Partitions, p => Assert.Equal(ErrorCode.InvalidCommitOffsetSize, (ErrorCode)p.ErrorCode));

        // Metadata over offset.metadata.max.bytes is refused per entry; a normal commit still works.
        var small = new OffsetCommitRequest { GroupId = "normal", GenerationIdOrMemberEpoch = -1, MemberId = "" };
        small.Topics.Add(new OffsetCommitRequest.Topic
        {
            Name = "committed",
            Partitions = [new OffsetCommitRequest.Partition { PartitionIndex = 0, CommittedOffset = 1, CommittedMetadata = new string('m', 5000) }],
        });
        response = await connection.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(small, 7);
        Assert.Equal(ErrorCode.OffsetMetadataTooLarge, (ErrorCode)response!.Topics.Single().Partitions.Single().ErrorCode);
        small.Topics[0].Partitions[0].CommittedMetadata = "ok";
        response = await connection.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(small, 7);
        Assert.Equal(ErrorCode.None, (ErrorCode)response!.Topics.Single().Partitions.Single().ErrorCode);
    }

    [Fact]
    public async Task Members_awaiting_their_second_join_count_toward_group_max_size()
    {
        await using var broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["group.max.size"] = "5" });
        using var connection = await RawConnection.ConnectAsync(broker.Broker);
        var join = new JoinGroupRequest
        {
            GroupId = "crowded",
            SessionTimeoutMs = 30_000,
            RebalanceTimeoutMs = 30_000,
            MemberId = "",
            ProtocolType = "consumer",
            Protocols = [new JoinGroupRequest.Protocol { Name = "range", Metadata = Encoding.UTF8.GetBytes("m") }],
        };
        for (var i = 0; i < 5; i++)
        {
            var pending = await connection.SendAsync<JoinGroupRequest, JoinGroupResponse>(join, 4);
            Assert.Equal(ErrorCode.MemberIdRequired, (ErrorCode)pending!.ErrorCode);
        }

        var refused = await connection.SendAsync<JoinGroupRequest, JoinGroupResponse>(join, 4);
        Assert.Equal(ErrorCode.GroupMaxSizeReached, (ErrorCode)refused!.ErrorCode);
    }
}

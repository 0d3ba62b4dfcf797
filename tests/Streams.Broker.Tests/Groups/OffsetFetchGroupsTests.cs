using System.Collections.Concurrent;
using Confluent.Kafka;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using ErrorCode = Streams.Broker.Protocol.ErrorCode;

namespace Streams.Broker.Tests.Groups;

/// <summary>
/// OffsetFetch v8 (many groups in one request) and v9 (the KIP-848 member id and epoch), with raw frames built from
/// each version's layout and with librdkafka, which sends v9 once the broker offers it.
/// </summary>
public sealed class OffsetFetchGroupsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "fetched";
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["group.consumer.heartbeat.interval.ms"] = "500" });
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic, partitions: 2);
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private void Commit(string group, params (int Partition, long Offset)[] offsets)
    {
        using var consumer = Clients.Consumer<Null, string>(_broker.BootstrapServers, c => c.GroupId = group);
        consumer.Commit([.. offsets.Select(o => new TopicPartitionOffset(Topic, o.Partition, o.Offset))]);
    }

    private async Task<OffsetFetchResponse> FetchAsync(short version, params OffsetFetchRequest.Group[] groups)
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        return (await connection.SendAsync<OffsetFetchRequest, OffsetFetchResponse>(new OffsetFetchRequest { Groups = [.. groups] }, version))!;
    }

    private static OffsetFetchRequest.GroupTopic Partitions(params int[] partitions) => new() { Name = Topic, PartitionIndexes = [.. partitions] };

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    public async Task Many_groups_are_answered_in_one_request_each_with_its_own_offsets(short version)
    {
        Commit("first", (0, 5), (1, 7));
        Commit("second", (1, 3));

        var response = await FetchAsync(
            version,
            new OffsetFetchRequest.Group { GroupId = "first", Topics = null },
            new OffsetFetchRequest.Group { GroupId = "second", Topics = [Partitions(0, 1)] },
            new OffsetFetchRequest.Group { GroupId = "nobody", Topics = [Partitions(0)] });

        Assert.Equal(["first", "second", "nobody"], response.Groups.Select(g => g.GroupId));
        Assert.All(response.Groups, g => Assert.Equal(ErrorCode.None, g.ErrorCode));
        Assert.Equal([(0, 5L), (1, 7L)], Assert.Single(response.Groups[0].Topics).Partitions.Select(p => (p.PartitionIndex, p.CommittedOffset)));
        Assert.Equal([(0, -1L), (1, 3L)], Assert.Single(response.Groups[1].Topics).Partitions.Select(p => (p.PartitionIndex, p.CommittedOffset)));
        Assert.Equal(-1L, Assert.Single(Assert.Single(response.Groups[2].Topics).Partitions).CommittedOffset);
        Assert.Empty(response.Topics);
    }

    [Fact]
    public async Task V9_checks_the_member_epoch_of_a_consumer_group_member_and_accepts_a_fetch_without_one()
    {
        using var member = GroupConsumer.Start(_broker.BootstrapServers, "modern", Topic, "m", configure: c => ConsumerProtocolTests.UseConsumerProtocol(c));
        await GroupWait.UntilAsync(() => member.CurrentAssignment().Count == 2, "the member owns both partitions");
        var described = _broker.Broker.Context.Groups.DescribeConsumerGroup("modern")!;
        var (memberId, epoch) = (described.Members[0].MemberId, described.Members[0].MemberEpoch);

        var response = await FetchAsync(
            9,
            new OffsetFetchRequest.Group { GroupId = "modern", MemberId = memberId, MemberEpoch = epoch, Topics = [Partitions(0)] },
            new OffsetFetchRequest.Group { GroupId = "modern", MemberId = memberId, MemberEpoch = epoch - 1, Topics = [Partitions(0)] },
            new OffsetFetchRequest.Group { GroupId = "modern", MemberId = "stranger", MemberEpoch = epoch, Topics = [Partitions(0)] },
            new OffsetFetchRequest.Group { GroupId = "modern", MemberId = null, MemberEpoch = -1, Topics = [Partitions(0)] });

        Assert.Equal([ErrorCode.None, ErrorCode.StaleMemberEpoch, ErrorCode.UnknownMemberId, ErrorCode.None], response.Groups.Select(g => g.ErrorCode));
        Assert.Single(response.Groups[0].Topics);
        Assert.Empty(response.Groups[1].Topics);
        Assert.Single(response.Groups[3].Topics);

        // v8 carries no member: the same group is answered whatever its members' epochs.
        var v8 = await FetchAsync(8, new OffsetFetchRequest.Group { GroupId = "modern", Topics = [Partitions(0)] });
        Assert.Equal(ErrorCode.None, Assert.Single(v8.Groups).ErrorCode);
        member.Close();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Librdkafka_resumes_from_committed_offsets_fetched_with_v9(bool consumerProtocol)
    {
        var group = consumerProtocol ? "resume-848" : "resume-classic";
        await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 2, 10);
        Commit(group, (0, 3), (1, 4));
        var sent = new ConcurrentQueue<string>();
        var config = new ConsumerConfig
        {
            BootstrapServers = _broker.BootstrapServers,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            Debug = "protocol",
        };
        if (consumerProtocol)
        {
            ConsumerProtocolTests.UseConsumerProtocol(config);
        }

        var received = new List<TopicPartitionOffset>();
        using (var consumer = new ConsumerBuilder<string, string>(config).SetLogHandler((_, m) => sent.Enqueue(m.Message)).Build())
        {
            consumer.Subscribe(Topic);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (received.Count < 3 && DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
                {
                    received.Add(result.TopicPartitionOffset);
                }
            }

            consumer.Close();
        }

        // Five records per partition: only those at and after the committed offsets arrive.
        Assert.Equal([(0, 3L), (0, 4L), (1, 4L)], received.Select(r => (r.Partition.Value, r.Offset.Value)).Order());
        Assert.Contains(sent, m => m.Contains("Sent OffsetFetchRequest (v9,", StringComparison.Ordinal));
    }
}

using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Groups;

/// <summary>
/// The KIP-848 consumer group protocol with real librdkafka consumers (<c>GroupProtocol = Consumer</c>): the broker
/// computes assignments and members reconcile incrementally, beside classic groups on other group ids.
/// </summary>
public sealed class ConsumerProtocolTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "kip848";
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        // A short heartbeat interval: members learn of a new target assignment on their next heartbeat.
        _broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["group.consumer.heartbeat.interval.ms"] = "500" });
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic, partitions: 6);
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private GroupConsumer Start(string group, string name, string? assignor = null) =>
        GroupConsumer.Start(_broker.BootstrapServers, group, Topic, name, configure: c => UseConsumerProtocol(c, assignor));

    /// <summary>librdkafka refuses the classic group settings with the consumer protocol; the broker owns them.</summary>
    internal static void UseConsumerProtocol(ConsumerConfig config, string? assignor = null)
    {
        config.GroupProtocol = GroupProtocol.Consumer;
        config.SessionTimeoutMs = null;
        config.HeartbeatIntervalMs = null;
        if (assignor is not null)
        {
            config.Set("group.remote.assignor", assignor);
        }
    }

    [Fact]
    public async Task Members_split_the_topic_and_rebalance_on_join_and_leave_without_loss_or_duplicates()
    {
        await GroupTopics.CommitStartAsync(_broker.BootstrapServers, "split", Topic, 6);
        using var a = Start("split", "a");
        using var b = Start("split", "b");
        await GroupWait.UntilAsync(() => a.CurrentAssignment().Count == 3 && b.CurrentAssignment().Count == 3, "a and b own three partitions each");
        var values = await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 6, 60, "first");
        await GroupWait.UntilAsync(() => a.ReceivedCount + b.ReceivedCount >= 60, "the first 60 are consumed");
        var (ownedByA, ownedByB) = (a.CurrentAssignment(), b.CurrentAssignment());

        var c = Start("split", "c");
        await GroupWait.UntilAsync(() => a.CurrentAssignment().Count == 2 && b.CurrentAssignment().Count == 2 && c.CurrentAssignment().Count == 2,
            "each of the three owns two partitions");
        Assert.Empty(a.CurrentAssignment().Intersect(b.CurrentAssignment()).Concat(a.CurrentAssignment().Intersect(c.CurrentAssignment())).Concat(b.CurrentAssignment().Intersect(c.CurrentAssignment())));
        Assert.Subset(ownedByA, a.CurrentAssignment());
        Assert.Subset(ownedByB, b.CurrentAssignment());
        values.AddRange(await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 6, 60, "second"));
        await GroupWait.UntilAsync(() => a.ReceivedCount + b.ReceivedCount + c.ReceivedCount >= 120, "the second 60 are consumed");

        c.Close();
        await GroupWait.UntilAsync(() => a.CurrentAssignment().Count == 3 && b.CurrentAssignment().Count == 3, "a and b take back c's partitions");
        values.AddRange(await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 6, 60, "third"));
        await GroupWait.UntilAsync(() => a.ReceivedCount + b.ReceivedCount + c.ReceivedCount >= 180, "the third 60 are consumed");

        var received = new[] { a, b, c }.SelectMany(x => x.Read(y => y.Received.Select(r => r.Message.Value).ToList())).ToList();
        Array.ForEach([a, b, c], x => output.WriteLine(x.History()));
        Assert.Equal(values.Order(), received.Order());

        // Every revocation committed what was consumed, so the committed offsets cover every message.
        using var admin = Clients.Admin(_broker.BootstrapServers);
        var committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("split", null)]);
        await GroupWait.UntilAsync(async () =>
        {
            var offsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("split", null)]);
            return offsets[0].Partitions.Where(p => p.Topic == Topic).Sum(p => p.Offset.Value) == 180;
        }, "the committed offsets add up to every message");
        a.Close();
        b.Close();
    }

    [Fact]
    public async Task A_consumer_group_and_a_classic_group_read_the_same_topic_side_by_side()
    {
        using var modern = Start("side-consumer", "modern");
        using var classic = GroupConsumer.Start(_broker.BootstrapServers, "side-classic", Topic, "classic");
        await GroupWait.UntilAsync(() => modern.CurrentAssignment().Count == 6 && classic.CurrentAssignment().Count == 6, "each group's only member owns all partitions");
        var values = await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 6, 30, "both");
        await GroupWait.UntilAsync(() => modern.ReceivedCount >= 30 && classic.ReceivedCount >= 30, "both groups read everything");
        Assert.Equal(values.Order(), modern.Read(x => x.Received.Select(r => r.Message.Value).Order().ToList()));

        using var admin = Clients.Admin(_broker.BootstrapServers);
        var listed = await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { MatchTypes = [ConsumerGroupType.Consumer] });
        Assert.Contains(listed.Valid, g => g.GroupId == "side-consumer" && g.Type == ConsumerGroupType.Consumer);
        Assert.DoesNotContain(listed.Valid, g => g.GroupId == "side-classic");

        var described = await admin.DescribeConsumerGroupsAsync(["side-consumer", "side-classic"]);
        var consumerGroup = described.ConsumerGroupDescriptions.Single(d => d.GroupId == "side-consumer");
        Assert.Equal(ConsumerGroupType.Consumer, consumerGroup.GroupType);
        Assert.Equal(ConsumerGroupState.Stable, consumerGroup.State);
        Assert.Equal(6, Assert.Single(consumerGroup.Members).Assignment.TopicPartitions.Count);
        var classicGroup = described.ConsumerGroupDescriptions.Single(d => d.GroupId == "side-classic");
        Assert.Equal(ConsumerGroupType.Classic, classicGroup.GroupType);
        Assert.Equal(6, Assert.Single(classicGroup.Members).Assignment.TopicPartitions.Count);
        modern.Close();
        classic.Close();
    }

    [Fact]
    public async Task The_range_assignor_gives_contiguous_ranges_when_the_client_asks_for_it()
    {
        using var a = Start("ranged", "a", "range");
        using var b = Start("ranged", "b", "range");
        await GroupWait.UntilAsync(() => a.CurrentAssignment().Count == 3 && b.CurrentAssignment().Count == 3, "a and b own three partitions each");
        foreach (var owned in new[] { a.CurrentAssignment(), b.CurrentAssignment() })
        {
            var numbers = owned.Select(p => p.Partition.Value).Order().ToList();
            Assert.Equal(Enumerable.Range(numbers[0], 3), numbers);
        }

        using var admin = Clients.Admin(_broker.BootstrapServers);
        var described = await admin.DescribeConsumerGroupsAsync(["ranged"]);
        Assert.Equal("range", described.ConsumerGroupDescriptions[0].PartitionAssignor);
        a.Close();
        b.Close();
    }
}

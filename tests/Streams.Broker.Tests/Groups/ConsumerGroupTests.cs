using Confluent.Kafka;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Groups;

/// <summary>Eager (range) consumer groups of real librdkafka consumers sharing a topic.</summary>
public sealed class ConsumerGroupTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "orders";
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic, partitions: 6);
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private async Task<List<GroupConsumer>> StartStableGroupAsync(string groupId, int members)
    {
        await GroupTopics.CommitStartAsync(_broker.BootstrapServers, groupId, Topic, 6);
        var consumers = Enumerable.Range(0, members)
            .Select(i => GroupConsumer.Start(_broker.BootstrapServers, groupId, Topic, $"{groupId}-c{i}"))
            .ToList();
        await GroupWait.UntilAsync(() => consumers.All(c => c.CurrentAssignment().Count == 6 / members), $"each of {members} consumers owns {6 / members} partitions");
        return consumers;
    }

    [Fact]
    public async Task Three_consumers_share_six_partitions_and_read_everything_exactly_once()
    {
        var consumers = await StartStableGroupAsync("three", 3);
        try
        {
            var owned = consumers.SelectMany(c => c.CurrentAssignment()).ToList();
            Assert.Equal(6, owned.Distinct().Count());

            var values = await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 6, 600);
            await GroupWait.UntilAsync(() => consumers.Sum(c => c.ReceivedCount) >= 600, "600 messages are consumed");
            await Task.Delay(500);

            var received = consumers.SelectMany(c => c.Read(x => x.Received.Select(r => r.Message.Value).ToList())).ToList();
            Assert.Equal(values.Order(), received.Order());
            Assert.All(consumers, c => Assert.True(c.ReceivedCount > 0));
        }
        finally
        {
            consumers.ForEach(c => c.Close());
        }
    }

    [Fact]
    public async Task A_closing_member_hands_its_partitions_over_in_one_rebalance_and_nothing_is_lost()
    {
        var consumers = await StartStableGroupAsync("closing", 3);
        var (a, b, leaving) = (consumers[0], consumers[1], consumers[2]);
        try
        {
            var first = await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 6, 300, "first");
            await GroupWait.UntilAsync(() => consumers.Sum(c => c.ReceivedCount) >= 300, "the first 300 are consumed");
            var assignsBefore = (a.Read(c => c.Assigned.Count), b.Read(c => c.Assigned.Count));
            var moved = leaving.CurrentAssignment();

            leaving.Close();
            await GroupWait.UntilAsync(() => a.CurrentAssignment().Count == 3 && b.CurrentAssignment().Count == 3, "the two remaining consumers own three partitions each");

            Assert.Equal(assignsBefore.Item1 + 1, a.Read(c => c.Assigned.Count));
            Assert.Equal(assignsBefore.Item2 + 1, b.Read(c => c.Assigned.Count));
            Assert.Subset(a.CurrentAssignment().Union(b.CurrentAssignment()).ToHashSet(), moved);

            var second = await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 6, 300, "second");
            var all = first.Concat(second).ToHashSet();
            var seen = () => consumers.SelectMany(c => c.Read(x => x.Received.Select(r => r.Message.Value).ToList())).ToList();
            await GroupWait.UntilAsync(() => all.IsSubsetOf(seen()), "every message of both batches is consumed");

            // The leaving member committed on close, so its successor starts exactly where it stopped.
            consumers.ForEach(c => output.WriteLine(c.History()));
            Assert.Equal(600, seen().Count);
        }
        finally
        {
            a.Close();
            b.Close();
        }
    }

    [Fact]
    public async Task Two_groups_each_read_the_whole_topic_and_commits_of_one_do_not_move_the_other()
    {
        var values = await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 6, 120);
        using var reading = GroupConsumer.Start(_broker.BootstrapServers, "first-group", Topic, "first", commitEvery: 1);
        using var other = GroupConsumer.Start(_broker.BootstrapServers, "second-group", Topic, "second", commitEvery: 0);

        await GroupWait.UntilAsync(() => reading.ReceivedCount >= 120 && other.ReceivedCount >= 120, "both groups read all 120");
        Assert.Equal(values.Order(), reading.Read(c => c.Received.Select(r => r.Message.Value).Order().ToList()));
        Assert.Equal(values.Order(), other.Read(c => c.Received.Select(r => r.Message.Value).Order().ToList()));

        using var admin = Clients.Admin(_broker.BootstrapServers);
        var partitions = Enumerable.Range(0, 6).Select(p => new TopicPartition(Topic, p)).ToList();
        await GroupWait.UntilAsync(() => reading.Read(c => c.Committed.Values.Sum()) == 120, "the first group committed everything");
        var firstOffsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("first-group", partitions)]);
        var secondOffsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("second-group", partitions)]);

        Assert.All(firstOffsets[0].Partitions, p => Assert.Equal(20, p.Offset.Value));
        Assert.All(secondOffsets[0].Partitions, p => Assert.Equal(Offset.Unset, p.Offset));
        reading.Close();
        other.Close();
    }
}

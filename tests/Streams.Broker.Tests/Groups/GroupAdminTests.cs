using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Groups;

/// <summary>AdminClient group operations: list, describe, committed offsets, alter, delete.</summary>
public sealed class GroupAdminTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "audited";
    private const string Group = "auditors";
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output);
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic, partitions: 4);
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private List<TopicPartition> Partitions => [.. Enumerable.Range(0, 4).Select(p => new TopicPartition(Topic, p))];

    [Fact]
    public async Task Groups_can_be_listed_described_repositioned_while_empty_and_deleted()
    {
        await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 4, 40);
        using var admin = Clients.Admin(_broker.BootstrapServers);
        var a = GroupConsumer.Start(_broker.BootstrapServers, Group, Topic, "auditor-a");
        var b = GroupConsumer.Start(_broker.BootstrapServers, Group, Topic, "auditor-b");
        await GroupWait.UntilAsync(() => a.CurrentAssignment().Count == 2 && b.CurrentAssignment().Count == 2, "each auditor owns two partitions");
        await GroupWait.UntilAsync(() => a.Read(c => c.Committed.Values.Sum()) + b.Read(c => c.Committed.Values.Sum()) == 40, "all 40 are committed");

        var listed = await admin.ListConsumerGroupsAsync();
        var listing = Assert.Single(listed.Valid, g => g.GroupId == Group);
        Assert.Equal(ConsumerGroupState.Stable, listing.State);
        Assert.False(listing.IsSimpleConsumerGroup);

        var described = Assert.Single((await admin.DescribeConsumerGroupsAsync([Group])).ConsumerGroupDescriptions);
        Assert.Equal(ConsumerGroupState.Stable, described.State);
        Assert.Equal("range", described.PartitionAssignor);
        Assert.Equal(["auditor-a", "auditor-b"], described.Members.Select(m => m.ClientId).Order());
        Assert.All(described.Members, m => Assert.Equal(2, m.Assignment.TopicPartitions.Count));
        Assert.Equal(Partitions.ToHashSet(), described.Members.SelectMany(m => m.Assignment.TopicPartitions).ToHashSet());

        var committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(Group, Partitions)]);
        Assert.All(committed[0].Partitions, p => Assert.Equal(10, p.Offset.Value));

        // Kafka refuses to reposition a group while members own its partitions.
        var rewind = new ConsumerGroupTopicPartitionOffsets(Group, [.. Partitions.Select(p => new TopicPartitionOffset(p, 5))]);
        var refused = await Assert.ThrowsAsync<AlterConsumerGroupOffsetsException>(() => admin.AlterConsumerGroupOffsetsAsync([rewind]));
        Assert.Contains(refused.Results.SelectMany(r => r.Partitions), p => p.Error.Code == ErrorCode.UnknownMemberId);

        a.Close();
        b.Close();
        await GroupWait.UntilAsync(() => admin.DescribeConsumerGroupsAsync([Group]).Result.ConsumerGroupDescriptions[0].State == ConsumerGroupState.Empty, "the group is empty");

        await admin.AlterConsumerGroupOffsetsAsync([rewind]);
        committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(Group, Partitions)]);
        Assert.All(committed[0].Partitions, p => Assert.Equal(5, p.Offset.Value));

        using (var next = GroupConsumer.Start(_broker.BootstrapServers, Group, Topic, "auditor-c", commitEvery: 0))
        {
            await GroupWait.UntilAsync(() => next.ReceivedCount >= 20, "the next consumer reads from the new positions");
            await Task.Delay(300);
            Assert.Equal(20, next.ReceivedCount);
            Assert.All(Partitions, p => Assert.Equal(5, next.Read(c => c.Received.Where(r => r.TopicPartition == p).Min(r => r.Offset.Value))));
            next.Close();
        }

        await admin.DeleteGroupsAsync([Group]);
        Assert.DoesNotContain((await admin.ListConsumerGroupsAsync()).Valid, g => g.GroupId == Group);
        var gone = await Assert.ThrowsAsync<DeleteGroupsException>(() => admin.DeleteGroupsAsync([Group]));
        Assert.Equal(ErrorCode.GroupIdNotFound, gone.Results[0].Error.Code);
    }

    [Fact]
    public async Task Deleting_a_group_that_has_members_is_refused()
    {
        using var admin = Clients.Admin(_broker.BootstrapServers);
        using var member = GroupConsumer.Start(_broker.BootstrapServers, "busy", Topic, "busy-member");
        await GroupWait.UntilAsync(() => member.CurrentAssignment().Count == 4, "the member owns every partition");

        var refused = await Assert.ThrowsAsync<DeleteGroupsException>(() => admin.DeleteGroupsAsync(["busy"]));
        Assert.Equal(ErrorCode.NonEmptyGroup, refused.Results[0].Error.Code);
        member.Close();
    }
}

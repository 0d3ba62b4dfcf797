using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using ApiKey = Streams.Broker.Protocol.ApiKey;
using BrokerError = Streams.Broker.Protocol.ErrorCode;

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
        await GroupWait.UntilAsync(async () => await StateAsync(admin) == ConsumerGroupState.Empty, "the group is empty");

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

    [Fact]
    public async Task Offsets_of_an_empty_group_can_be_deleted_partition_by_partition()
    {
        await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 4, 40);
        using var admin = Clients.Admin(_broker.BootstrapServers);
        var member = GroupConsumer.Start(_broker.BootstrapServers, Group, Topic, "auditor-a");
        await GroupWait.UntilAsync(() => member.Read(c => c.Committed.Values.Sum()) == 40, "all 40 are committed");
        member.Close();
        await GroupWait.UntilAsync(async () => await StateAsync(admin) == ConsumerGroupState.Empty, "the group is empty");

        var deleted = await admin.DeleteConsumerGroupOffsetsAsync(Group, Partitions.Take(2));

        Assert.Equal(Group, deleted.Group);
        Assert.Equal(Partitions.Take(2), deleted.Partitions.OrderBy(p => p.Partition.Value));
        var committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(Group, Partitions)]);
        Assert.Equal([Offset.Unset, Offset.Unset, new Offset(10), new Offset(10)],
            committed[0].Partitions.OrderBy(p => p.Partition.Value).Select(p => p.Offset));
    }

    [Fact]
    public async Task Offsets_of_a_topic_an_active_group_subscribes_to_cannot_be_deleted()
    {
        const string Other = "archived";
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Other);
        await GroupTopics.ProduceAsync(_broker.BootstrapServers, Topic, 4, 8);
        using var admin = Clients.Admin(_broker.BootstrapServers);
        using var member = GroupConsumer.Start(_broker.BootstrapServers, Group, Topic, "auditor-a");
        await GroupWait.UntilAsync(() => member.Read(c => c.Committed.Values.Sum()) == 8, "all 8 are committed");

        // A member may commit offsets of a topic it does not subscribe to (a tool carrying positions over, say).
        member.Consumer.Commit([new TopicPartitionOffset(Other, 0, 3)]);

        var refused = await Assert.ThrowsAsync<DeleteConsumerGroupOffsetsException>(() => admin.DeleteConsumerGroupOffsetsAsync(Group, Partitions));
        Assert.All(refused.Result.Partitions, p => Assert.Equal(ErrorCode.GroupSubscribedToTopic, p.Error.Code));
        var committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(Group, Partitions)]);
        Assert.All(committed[0].Partitions, p => Assert.Equal(2, p.Offset.Value));

        // Only the subscribed topics are protected: the other topic's offset goes even while the group is active.
        await admin.DeleteConsumerGroupOffsetsAsync(Group, [new TopicPartition(Other, 0)]);
        committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(Group, [new TopicPartition(Other, 0)])]);
        Assert.Equal(Offset.Unset, committed[0].Partitions[0].Offset);
        member.Close();
    }

    [Fact]
    public async Task Describing_an_unknown_group_reports_it_Dead_without_an_error()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        var reader = await connection.RequestAsync(ApiKey.DescribeGroups, 4, w =>
        {
            w.WriteArrayLength(1);
            w.WriteString("nobody-here");
            w.WriteBool(false);
        });

        reader.ReadInt32();
        Assert.Equal(1, reader.ReadArrayLength());
        Assert.Equal(BrokerError.None, (BrokerError)reader.ReadInt16());
        Assert.Equal("nobody-here", reader.ReadString());
        Assert.Equal("Dead", reader.ReadString());
        Assert.Equal("", reader.ReadString());
        Assert.Equal("", reader.ReadString());
        Assert.Equal(0, reader.ReadArrayLength());

        // Asking must not create it.
        using var admin = Clients.Admin(_broker.BootstrapServers);
        Assert.DoesNotContain((await admin.ListConsumerGroupsAsync()).Valid, g => g.GroupId == "nobody-here");
    }

    private static async Task<ConsumerGroupState> StateAsync(IAdminClient admin) =>
        (await admin.DescribeConsumerGroupsAsync([Group])).ConsumerGroupDescriptions[0].State;
}

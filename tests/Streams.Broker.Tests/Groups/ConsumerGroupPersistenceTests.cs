using Streams.Broker.Groups;
using Streams.Broker.Groups.Consumer;
using Streams.Broker.Protocol;
using static Streams.Broker.Tests.Groups.CoordinatorUnderTest;

namespace Streams.Broker.Tests.Groups;

/// <summary>
/// KIP-848 group state in <c>__consumer_offsets</c>: a coordinator restarted in the middle of a reconciliation comes
/// back with the same group epoch, target assignment and members (epochs, owned and revoking partitions), and the
/// members heartbeat on at their epochs; members that left stay gone, and a deleted group stays deleted.
/// </summary>
public sealed class ConsumerGroupPersistenceTests : IAsyncLifetime
{
    private readonly CoordinatorUnderTest _coordinator = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _coordinator.DisposeAsync();

    private ConsumerHeartbeatResult Heartbeat(string memberId, int epoch, IReadOnlyCollection<TopicPartition>? owned = null, string group = Group) =>
        _coordinator.Coordinator.ConsumerHeartbeat(new ConsumerHeartbeatRequest(
            group, memberId, epoch, null, null, RebalanceTimeoutMs, epoch == ConsumerHeartbeatRequest.JoinEpoch ? [Topic] : null, null, null, owned, "client", "/127.0.0.1"));

    /// <summary>The whole described state of the group, comparable as text.</summary>
    private string Described()
    {
        var group = _coordinator.Coordinator.DescribeConsumerGroup(Group);
        Assert.NotNull(group);
        return $"{group.State} epoch {group.GroupEpoch} target {group.AssignmentEpoch}: " + string.Join("; ", group.Members.Select(m =>
            $"{m.MemberId} at {m.MemberEpoch} {m.State} owns [{string.Join(",", m.Assignment.Select(p => p.Partition))}] target [{string.Join(",", m.TargetAssignment.Select(p => p.Partition))}] subscribes {string.Join(",", m.SubscribedTopicNames)}"));
    }

    [Fact]
    public async Task A_restart_in_the_middle_of_a_rebalance_keeps_epochs_and_assignments_and_members_carry_on()
    {
        var a = Heartbeat("a", ConsumerHeartbeatRequest.JoinEpoch);
        Assert.Equal(ErrorCode.None, a.Error);
        a = Heartbeat("a", a.MemberEpoch, a.Assignment);
        var ownedByA = a.Assignment ?? [new TopicPartition(Topic, 0), new TopicPartition(Topic, 1), new TopicPartition(Topic, 2)];
        var b = Heartbeat("b", ConsumerHeartbeatRequest.JoinEpoch);
        Assert.Equal(ErrorCode.None, b.Error);
        a = Heartbeat("a", a.MemberEpoch, ownedByA);
        Assert.NotNull(a.Assignment);
        Assert.True(a.Assignment.Count < 3, "a is asked to give a partition up");
        var before = Described();
        Assert.Contains("unrevoked_partitions", before, StringComparison.Ordinal);

        await _coordinator.RestartAsync();

        Assert.Equal(before, Described());

        // a confirms the revocation at its old epoch and is bumped; b then receives the released partition.
        var afterA = Heartbeat("a", a.MemberEpoch, a.Assignment);
        Assert.Equal(ErrorCode.None, afterA.Error);
        Assert.True(afterA.MemberEpoch > a.MemberEpoch);
        var afterB = Heartbeat("b", b.MemberEpoch, b.Assignment ?? []);
        Assert.Equal(ErrorCode.None, afterB.Error);
        Assert.Equal(afterA.MemberEpoch, afterB.MemberEpoch);
        Assert.Equal(3, afterA.Assignment!.Count + afterB.Assignment!.Count);
        Assert.Empty(afterA.Assignment.Intersect(afterB.Assignment));
        Assert.Contains("Stable", Described(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_member_that_left_stays_gone_and_a_deleted_group_stays_deleted_after_a_restart()
    {
        var a = Heartbeat("a", ConsumerHeartbeatRequest.JoinEpoch);
        var b = Heartbeat("b", ConsumerHeartbeatRequest.JoinEpoch);
        Assert.Equal(ErrorCode.None, Heartbeat("b", ConsumerHeartbeatRequest.LeaveEpoch).Error);

        await _coordinator.RestartAsync();

        var group = _coordinator.Coordinator.DescribeConsumerGroup(Group)!;
        Assert.Equal(["a"], group.Members.Select(m => m.MemberId));
        Assert.Equal(ErrorCode.UnknownMemberId, Heartbeat("b", b.MemberEpoch).Error);

        Assert.Equal(ErrorCode.None, Heartbeat("a", ConsumerHeartbeatRequest.LeaveEpoch).Error);
        Assert.Equal(ErrorCode.None, _coordinator.Coordinator.DeleteGroup(Group));
        await _coordinator.RestartAsync();

        Assert.Null(_coordinator.Coordinator.DescribeConsumerGroup(Group));
        Assert.Equal(ErrorCode.UnknownMemberId, Heartbeat("a", a.MemberEpoch).Error);
    }

    [Fact]
    public async Task The_records_use_Kafkas_key_versions_and_a_member_without_a_heartbeat_after_the_restart_times_out()
    {
        var a = Heartbeat("a", ConsumerHeartbeatRequest.JoinEpoch);
        Heartbeat("a", a.MemberEpoch, a.Assignment);
        var keys = _coordinator.Logs.GetPartition(OffsetStore.TopicName, 0)!.Log.AllBatches()
            .SelectMany(batch =>
            {
                var (segment, position, header) = batch;
                var buffer = new byte[header.TotalSize];
                segment.Read(position, buffer);
                return Streams.Broker.Records.RecordBatchReader.ReadRecords(buffer).Select(r => ConsumerGroupRecords.ReadKey(r.Key!.Value)?.Version).ToList();
            })
            .OfType<short>().Distinct().Order().ToArray();
        Assert.Equal(new short[] { 3, 4, 5, 6, 7, 8 }, keys);

        await _coordinator.RestartAsync();
        _coordinator.Advance(46_000);

        Assert.Empty(_coordinator.Coordinator.DescribeConsumerGroup(Group)!.Members);
    }
}

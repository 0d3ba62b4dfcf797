using Confluent.Kafka.Admin;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Groups;

/// <summary>
/// ConsumerGroupHeartbeat, ConsumerGroupDescribe and the member-epoch checks of OffsetCommit v9 frame by frame:
/// the reconciliation order (a partition changes owner only after its owner revoked it) and the error answers.
/// </summary>
public sealed class ConsumerProtocolWireTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "wire848";
    private TestBroker _broker = null!;
    private RawConnection _connection = null!;
    private Guid _topicId;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["group.consumer.session.timeout.ms"] = "1500" });
        await Clients.CreateTopicAsync(_broker.BootstrapServers, Topic, partitions: 4);
        _connection = await RawConnection.ConnectAsync(_broker.BootstrapServers);
        var metadata = await _connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.Topic { Name = Topic }] }, 12);
        _topicId = Assert.Single(metadata!.Topics).TopicId;
    }

    public async Task DisposeAsync()
    {
        _connection.Dispose();
        await _broker.DisposeAsync();
    }

    private async Task<ConsumerGroupHeartbeatResponse> HeartbeatAsync(string group, string memberId, int epoch, IEnumerable<int>? owned = null,
        List<string>? topics = null, string? assignor = null, string? regex = null)
    {
        var request = new ConsumerGroupHeartbeatRequest
        {
            GroupId = group,
            MemberId = memberId,
            MemberEpoch = epoch,
            RebalanceTimeoutMs = epoch == 0 ? 30_000 : -1,
            SubscribedTopicNames = topics ?? (epoch == 0 && regex is null ? [Topic] : null),
            SubscribedTopicRegex = regex,
            ServerAssignor = assignor,
            TopicPartitions = owned is null ? null : [new ConsumerGroupHeartbeatRequest.OwnedTopic { TopicId = _topicId, Partitions = [.. owned] }],
        };
        return (await _connection.SendAsync<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>(request, 1))!;
    }

    private List<int>? Partitions(ConsumerGroupHeartbeatResponse response) =>
        response.Assignment is null ? null : [.. response.Assignment.TopicPartitions.Where(t => t.TopicId == _topicId).SelectMany(t => t.Partitions).Order()];

    [Fact]
    public async Task A_partition_moves_to_a_new_member_only_after_its_owner_revoked_it()
    {
        var a = await HeartbeatAsync("reconcile", "member-a", 0);
        Assert.Equal(ErrorCode.None, a.ErrorCode);
        Assert.Equal("member-a", a.MemberId);
        Assert.True(a.MemberEpoch > 0);
        Assert.True(a.HeartbeatIntervalMs > 0);
        Assert.Equal([0, 1, 2, 3], Partitions(a));
        var epochA = a.MemberEpoch;
        Assert.Null((await HeartbeatAsync("reconcile", "member-a", epochA, [0, 1, 2, 3])).Assignment);

        // b joins: the target gives it half, but a still owns everything, so b gets nothing yet.
        var b = await HeartbeatAsync("reconcile", "member-b", 0);
        Assert.Equal([], Partitions(b));
        var epochB = b.MemberEpoch;

        // a is told to keep only its half, at its old epoch; until it confirms, b still gets nothing.
        var revoke = await HeartbeatAsync("reconcile", "member-a", epochA);
        Assert.Equal(epochA, revoke.MemberEpoch);
        var kept = Partitions(revoke)!;
        Assert.Equal(2, kept.Count);
        Assert.Null(Partitions(await HeartbeatAsync("reconcile", "member-b", epochB)));

        // a confirms the revocation: it moves to the new epoch, and b's next heartbeat gets the other half.
        var confirmed = await HeartbeatAsync("reconcile", "member-a", epochA, kept);
        Assert.True(confirmed.MemberEpoch > epochA);
        var given = await HeartbeatAsync("reconcile", "member-b", epochB);
        Assert.Equal([0, 1, 2, 3], kept.Concat(Partitions(given)!).Order());

        // a leaves; b gets everything on its next heartbeats.
        var leave = await HeartbeatAsync("reconcile", "member-a", -1);
        Assert.Equal(-1, leave.MemberEpoch);
        var all = await HeartbeatAsync("reconcile", "member-b", given.MemberEpoch, Partitions(given));
        Assert.Equal([0, 1, 2, 3], Partitions(all));

        var described = await _connection.SendAsync<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>(new ConsumerGroupDescribeRequest { GroupIds = ["reconcile"] }, 0);
        var group = Assert.Single(described!.Groups);
        Assert.Equal(ErrorCode.None, group.ErrorCode);
        Assert.Equal("uniform", group.AssignorName);
        var member = Assert.Single(group.Members);
        Assert.Equal("member-b", member.MemberId);
        Assert.Equal(all.MemberEpoch, member.MemberEpoch);
        Assert.Equal([Topic], member.SubscribedTopicNames);
        Assert.Equal([0, 1, 2, 3], Assert.Single(member.TargetAssignment.TopicPartitions).Partitions.Order());
    }

    [Fact]
    public async Task Wrong_epochs_and_unknown_members_are_fenced()
    {
        var joined = await HeartbeatAsync("fencing", "member-f", 0);
        Assert.Equal(ErrorCode.FencedMemberEpoch, (await HeartbeatAsync("fencing", "member-f", joined.MemberEpoch + 1)).ErrorCode);
        Assert.Equal(ErrorCode.FencedMemberEpoch, (await HeartbeatAsync("fencing", "member-f", joined.MemberEpoch - 1)).ErrorCode);
        Assert.Equal(ErrorCode.UnknownMemberId, (await HeartbeatAsync("fencing", "nobody", 3)).ErrorCode);
        Assert.Equal(ErrorCode.UnknownMemberId, (await HeartbeatAsync("no-such-group", "nobody", 3)).ErrorCode);

        // A fenced member rejoins with epoch 0 and the same id.
        var rejoined = await HeartbeatAsync("fencing", "member-f", 0);
        Assert.Equal(ErrorCode.None, rejoined.ErrorCode);
        Assert.Equal([0, 1, 2, 3], Partitions(rejoined));
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_kafkas_errors()
    {
        Assert.Equal(ErrorCode.UnsupportedAssignor, (await HeartbeatAsync("bad", "m", 0, assignor: "sticky")).ErrorCode);
        Assert.Equal(ErrorCode.InvalidRegularExpression, (await HeartbeatAsync("bad", "m", 0, regex: "wire(")).ErrorCode);
        var noSubscription = await _connection.SendAsync<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>(
            new ConsumerGroupHeartbeatRequest { GroupId = "bad", MemberId = "m", MemberEpoch = 0 }, 1);
        Assert.Equal(ErrorCode.InvalidRequest, noSubscription!.ErrorCode);
        Assert.Equal(ErrorCode.InvalidRequest, (await HeartbeatAsync(string.Empty, "m", 0)).ErrorCode);

        var described = await _connection.SendAsync<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>(new ConsumerGroupDescribeRequest { GroupIds = ["never-seen"] }, 0);
        Assert.Equal(ErrorCode.GroupIdNotFound, Assert.Single(described!.Groups).ErrorCode);
    }

    [Fact]
    public async Task A_regex_subscription_and_new_partitions_change_the_target_assignment()
    {
        var joined = await HeartbeatAsync("regex", "member-r", 0, regex: "^wire8.*");
        Assert.Equal([0, 1, 2, 3], Partitions(joined));

        using var admin = Clients.Admin(_broker.BootstrapServers);
        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = Topic, IncreaseTo = 6 }]);
        var grown = await HeartbeatAsync("regex", "member-r", joined.MemberEpoch, [0, 1, 2, 3]);
        Assert.True(grown.MemberEpoch > joined.MemberEpoch);
        Assert.Equal([0, 1, 2, 3, 4, 5], Partitions(grown));
    }

    [Fact]
    public async Task Offset_commits_of_a_consumer_group_check_the_member_epoch()
    {
        var joined = await HeartbeatAsync("commits", "member-c", 0);
        OffsetCommitRequest Commit(int epoch, string memberId) => new()
        {
            GroupId = "commits",
            GenerationIdOrMemberEpoch = epoch,
            MemberId = memberId,
            Topics = [new OffsetCommitRequest.Topic { Name = Topic, Partitions = [new OffsetCommitRequest.Partition { PartitionIndex = 0, CommittedOffset = 0 }] }],
        };
        ErrorCode Error(OffsetCommitResponse? response) => response!.Topics[0].Partitions[0].ErrorCode;

        Assert.Equal(ErrorCode.None, Error(await _connection.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(Commit(joined.MemberEpoch, "member-c"), 9)));
        Assert.Equal(ErrorCode.StaleMemberEpoch, Error(await _connection.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(Commit(joined.MemberEpoch + 1, "member-c"), 9)));
        Assert.Equal(ErrorCode.UnknownMemberId, Error(await _connection.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(Commit(joined.MemberEpoch, "someone"), 9)));
        Assert.Equal(ErrorCode.UnknownMemberId, Error(await _connection.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(Commit(-1, string.Empty), 9)));
        Assert.Equal(ErrorCode.UnsupportedVersion, Error(await _connection.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(Commit(joined.MemberEpoch, "member-c"), 8)));

        // Once the member is gone, admin tools may set the offsets again.
        await HeartbeatAsync("commits", "member-c", -1);
        Assert.Equal(ErrorCode.None, Error(await _connection.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(Commit(-1, string.Empty), 9)));
    }

    [Fact]
    public async Task Classic_and_consumer_members_cannot_share_a_live_group_but_list_side_by_side()
    {
        await HeartbeatAsync("modern-group", "member-m", 0);
        var join = await _connection.SendAsync<JoinGroupRequest, JoinGroupResponse>(new JoinGroupRequest
        {
            GroupId = "modern-group",
            SessionTimeoutMs = 10_000,
            RebalanceTimeoutMs = 10_000,
            MemberId = string.Empty,
            ProtocolType = "consumer",
            Protocols = [new JoinGroupRequest.Protocol { Name = "range", Metadata = new byte[] { 0, 0, 0, 0, 0, 0 } }],
        }, 6);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, join!.ErrorCode);

        var deleted = await _connection.SendAsync<DeleteGroupsRequest, DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = ["modern-group"] }, 2);
        Assert.Equal(ErrorCode.NonEmptyGroup, Assert.Single(deleted!.Results).ErrorCode);

        var listed = await _connection.SendAsync<ListGroupsRequest, ListGroupsResponse>(new ListGroupsRequest { TypesFilter = ["consumer"] }, 5);
        var group = Assert.Single(listed!.Groups);
        Assert.Equal(("modern-group", "consumer", "consumer", "Stable"), (group.GroupId, group.ProtocolType, group.GroupType, group.GroupState));

        // DescribeGroups (v5) answers for a consumer group as Kafka 4.x does below v6: as a Dead (unknown) group.
        var classicView = await _connection.SendAsync<DescribeGroupsRequest, DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = ["modern-group"] }, 5);
        Assert.Equal("Dead", Assert.Single(classicView!.Groups).GroupState);

        // Once empty the group can be deleted, like a classic one.
        await HeartbeatAsync("modern-group", "member-m", -1);
        deleted = await _connection.SendAsync<DeleteGroupsRequest, DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = ["modern-group"] }, 2);
        Assert.Equal(ErrorCode.None, Assert.Single(deleted!.Results).ErrorCode);
    }

    [Fact]
    public async Task A_member_that_stops_heartbeating_is_removed_after_the_session_timeout()
    {
        var gone = await HeartbeatAsync("sessions", "member-gone", 0);
        Assert.Equal([0, 1, 2, 3], Partitions(gone));
        var stays = await HeartbeatAsync("sessions", "member-stays", 0);
        var epoch = stays.MemberEpoch;
        List<int> owned = [];
        await GroupWait.UntilAsync(async () =>
        {
            var response = await HeartbeatAsync("sessions", "member-stays", epoch, owned);
            epoch = response.MemberEpoch;
            owned = Partitions(response) ?? owned;
            return owned.Count == 4;
        }, "the remaining member owns every partition once the silent one's session expired");
        Assert.Equal(ErrorCode.UnknownMemberId, (await HeartbeatAsync("sessions", "member-gone", gone.MemberEpoch)).ErrorCode);
    }
}

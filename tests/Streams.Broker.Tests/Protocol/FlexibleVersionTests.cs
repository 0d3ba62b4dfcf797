using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using ErrorCode = Streams.Broker.Protocol.ErrorCode;

namespace Streams.Broker.Tests.Protocol;

/// <summary>
/// The flexible (tagged-field) versions of the group and admin APIs, sent as frames built from each version's layout,
/// and the ListGroups v5 type filter as librdkafka's admin client drives it.
/// </summary>
public sealed class FlexibleVersionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Topic = "flex";
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(output);
        await Support.Clients.CreateTopicAsync(_broker.BootstrapServers, Topic);
    }

    public Task DisposeAsync() => _broker.DisposeAsync().AsTask();

    [Fact]
    public async Task A_member_joins_syncs_heartbeats_and_commits_with_flexible_versions_and_is_described_by_DescribeGroups_v5()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        const string group = "flex-group";
        var join = new JoinGroupRequest
        {
            GroupId = group,
            SessionTimeoutMs = 10_000,
            RebalanceTimeoutMs = 10_000,
            MemberId = "",
            ProtocolType = "consumer",
            Protocols = [new JoinGroupRequest.Protocol { Name = "range", Metadata = new byte[] { 0, 1, 2 } }],
        };

        var required = await connection.SendAsync<JoinGroupRequest, JoinGroupResponse>(join, 6);
        Assert.Equal(ErrorCode.MemberIdRequired, required!.ErrorCode);
        join.MemberId = required.MemberId;
        var joined = await connection.SendAsync<JoinGroupRequest, JoinGroupResponse>(join, 6);
        Assert.Equal(ErrorCode.None, joined!.ErrorCode);
        Assert.Equal((required.MemberId, "range"), (joined.Leader, joined.ProtocolName));

        var synced = await connection.SendAsync<SyncGroupRequest, SyncGroupResponse>(new SyncGroupRequest
        {
            GroupId = group,
            GenerationId = joined.GenerationId,
            MemberId = joined.MemberId,
            Assignments = [new SyncGroupRequest.MemberAssignment { MemberId = joined.MemberId, Assignment = new byte[] { 9, 8, 7 } }],
        }, 4);
        Assert.Equal(ErrorCode.None, synced!.ErrorCode);
        Assert.Equal(new byte[] { 9, 8, 7 }, synced.Assignment.ToArray());

        var beat = await connection.SendAsync<HeartbeatRequest, HeartbeatResponse>(
            new HeartbeatRequest { GroupId = group, GenerationId = joined.GenerationId, MemberId = joined.MemberId }, 4);
        Assert.Equal(ErrorCode.None, beat!.ErrorCode);

        var committed = await connection.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(new OffsetCommitRequest
        {
            GroupId = group,
            GenerationIdOrMemberEpoch = joined.GenerationId,
            MemberId = joined.MemberId,
            Topics = [new OffsetCommitRequest.Topic { Name = Topic, Partitions = [new OffsetCommitRequest.Partition { PartitionIndex = 0, CommittedOffset = 0 }] }],
        }, 8);
        Assert.Equal(ErrorCode.None, Assert.Single(Assert.Single(committed!.Topics).Partitions).ErrorCode);

        var described = await connection.SendAsync<DescribeGroupsRequest, DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = [group] }, 5);
        var description = Assert.Single(described!.Groups);
        Assert.Equal(("Stable", "consumer", "range"), (description.GroupState, description.ProtocolType, description.ProtocolData));
        Assert.Equal(joined.MemberId, Assert.Single(description.Members).MemberId);
    }

    [Fact]
    public async Task ListGroups_v5_filters_by_type_and_reports_every_group_as_classic()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        const string group = "flex-simple";
        await connection.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(new OffsetCommitRequest
        {
            GroupId = group,
            GenerationIdOrMemberEpoch = -1,
            MemberId = "",
            Topics = [new OffsetCommitRequest.Topic { Name = Topic, Partitions = [new OffsetCommitRequest.Partition { PartitionIndex = 0, CommittedOffset = 0 }] }],
        }, 8);

        var classic = await connection.SendAsync<ListGroupsRequest, ListGroupsResponse>(new ListGroupsRequest { TypesFilter = ["CLASSIC"] }, 5);
        var listed = Assert.Single(classic!.Groups, g => g.GroupId == group);
        Assert.Equal(("classic", "Empty"), (listed.GroupType, listed.GroupState));

        var consumer = await connection.SendAsync<ListGroupsRequest, ListGroupsResponse>(new ListGroupsRequest { TypesFilter = ["consumer"] }, 5);
        Assert.Empty(consumer!.Groups);

        // librdkafka's admin client sends ListGroups v5 with the types asked for.
        using var admin = Support.Clients.Admin(_broker.BootstrapServers);
        var classicGroups = await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { MatchTypes = [ConsumerGroupType.Classic] });
        Assert.Equal(ConsumerGroupType.Classic, Assert.Single(classicGroups.Valid, g => g.GroupId == group).Type);
        var consumerGroups = await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { MatchTypes = [ConsumerGroupType.Consumer] });
        Assert.Empty(consumerGroups.Valid);
    }

    [Fact]
    public async Task Flexible_admin_versions_create_partitions_delete_groups_and_delete_topics()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        await Support.Clients.CreateTopicAsync(_broker.BootstrapServers, "flex-doomed");
        await connection.SendAsync<OffsetCommitRequest, OffsetCommitResponse>(new OffsetCommitRequest
        {
            GroupId = "flex-doomed-group",
            GenerationIdOrMemberEpoch = -1,
            MemberId = "",
            Topics = [new OffsetCommitRequest.Topic { Name = "flex-doomed", Partitions = [new OffsetCommitRequest.Partition { PartitionIndex = 0, CommittedOffset = 0 }] }],
        }, 8);

        var grown = await connection.SendAsync<CreatePartitionsRequest, CreatePartitionsResponse>(new CreatePartitionsRequest
        {
            Topics = [new CreatePartitionsRequest.Topic { Name = "flex-doomed", Count = 3 }],
            TimeoutMs = 5000,
        }, 3);
        Assert.Equal(ErrorCode.None, Assert.Single(grown!.Results).ErrorCode);

        var groups = await connection.SendAsync<DeleteGroupsRequest, DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = ["flex-doomed-group"] }, 2);
        Assert.Equal(ErrorCode.None, Assert.Single(groups!.Results).ErrorCode);

        var deleted = await connection.SendAsync<DeleteTopicsRequest, DeleteTopicsResponse>(new DeleteTopicsRequest { TopicNames = ["flex-doomed"], TimeoutMs = 5000 }, 4);
        Assert.Equal(ErrorCode.None, Assert.Single(deleted!.Responses).ErrorCode);
        Assert.Null(_broker.Broker.Context.Logs.GetTopic("flex-doomed"));
    }

    [Fact]
    public async Task FindCoordinator_v4_answers_each_batched_key_and_v3_the_single_one()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);

        var batched = await connection.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(
            new FindCoordinatorRequest { KeyType = 0, CoordinatorKeys = ["g-1", "g-2"] }, 4);
        Assert.Equal(["g-1", "g-2"], batched!.Coordinators.Select(c => c.Key));
        Assert.All(batched.Coordinators, c => Assert.Equal((ErrorCode.None, _broker.Broker.Port), (c.ErrorCode, c.Port)));

        var single = await connection.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { Key = "txn-1", KeyType = 1 }, 3);
        Assert.Equal((ErrorCode.None, _broker.Broker.Port), (single!.ErrorCode, single.Port));

        var unknownType = await connection.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(
            new FindCoordinatorRequest { KeyType = 7, CoordinatorKeys = ["x"] }, 4);
        Assert.Equal(ErrorCode.InvalidRequest, Assert.Single(unknownType!.Coordinators).ErrorCode);
    }

    [Fact]
    public async Task LeaveGroup_v5_removes_a_static_member_by_instance_id_and_answers_each_member()
    {
        using var connection = await RawConnection.ConnectAsync(_broker.Broker);
        const string group = "flex-static";
        var joined = await connection.SendAsync<JoinGroupRequest, JoinGroupResponse>(new JoinGroupRequest
        {
            GroupId = group,
            SessionTimeoutMs = 10_000,
            RebalanceTimeoutMs = 10_000,
            MemberId = "",
            GroupInstanceId = "instance-1",
            ProtocolType = "consumer",
            Protocols = [new JoinGroupRequest.Protocol { Name = "range", Metadata = new byte[] { 1 } }],
        }, 6);
        Assert.Equal(ErrorCode.None, joined!.ErrorCode);

        var left = await connection.SendAsync<LeaveGroupRequest, LeaveGroupResponse>(new LeaveGroupRequest
        {
            GroupId = group,
            Members =
            [
                new LeaveGroupRequest.MemberIdentity { MemberId = "someone-else", GroupInstanceId = "instance-1", Reason = "test" },
                new LeaveGroupRequest.MemberIdentity { MemberId = "ghost" },
                new LeaveGroupRequest.MemberIdentity { MemberId = "", GroupInstanceId = "instance-1", Reason = "test" },
            ],
        }, 5);

        Assert.Equal(ErrorCode.None, left!.ErrorCode);
        Assert.Equal([ErrorCode.FencedInstanceId, ErrorCode.UnknownMemberId, ErrorCode.None], left.Members.Select(m => m.ErrorCode));
        Assert.Equal(["instance-1", null, "instance-1"], left.Members.Select(m => m.GroupInstanceId));
        var described = await connection.SendAsync<DescribeGroupsRequest, DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = [group] }, 5);
        Assert.Empty(Assert.Single(described!.Groups).Members);
    }
}

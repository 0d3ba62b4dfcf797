using Streams.Broker.Groups;
using Streams.Broker.Protocol;
using static Streams.Broker.Tests.Groups.CoordinatorUnderTest;

namespace Streams.Broker.Tests.Groups;

/// <summary>OffsetCommit, OffsetFetch, retention, deletion and restart, against the coordinator alone.</summary>
public sealed class GroupOffsetsUnitTests : IAsyncLifetime
{
    private const string Simple = "reporting";
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(1);

    // Retention of one minute, checked every second: minutes of group life pass in a few fake-clock steps.
    private readonly CoordinatorUnderTest _groups = new(("offsets.retention.minutes", "1"), ("offsets.retention.check.interval.ms", "1000"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _groups.DisposeAsync().AsTask();

    [Fact]
    public void A_commit_without_a_generation_stores_offsets_for_a_simple_group()
    {
        var errors = _groups.Commit(Simple, -1, "", (0, 10), (1, 20));

        Assert.Equal([ErrorCode.None, ErrorCode.None], errors);
        Assert.Equal(10, _groups.Committed(Simple, 0));
        Assert.Equal(20, _groups.Committed(Simple, 1));
        Assert.Null(_groups.Committed(Simple, 2));
        Assert.Equal("", _groups.Coordinator.DescribeGroup(Simple).ProtocolType);
    }

    [Fact]
    public void A_later_commit_replaces_the_earlier_one_even_when_it_goes_back()
    {
        _groups.Commit(Simple, -1, "", (0, 10));
        _groups.Commit(Simple, -1, "", (0, 4));

        Assert.Equal(4, _groups.Committed(Simple, 0));
    }

    [Fact]
    public void A_fetch_keeps_what_the_client_committed_with_the_offset()
    {
        _groups.Coordinator.CommitOffsets(Simple, -1, "", null, [new OffsetCommitEntry(Topic, 0, 10, 3, "checkpoint")]);

        var fetched = _groups.Coordinator.FetchOffsets(Simple, [new TopicPartition(Topic, 0)]).Single().Offset;

        Assert.NotNull(fetched);
        Assert.Equal(3, fetched.Value.LeaderEpoch);
        Assert.Equal("checkpoint", fetched.Value.Metadata);
        Assert.Equal(_groups.Time.GetUtcNow().ToUnixTimeMilliseconds(), fetched.Value.CommitTimestampMs);
    }

    [Fact]
    public void A_fetch_of_every_partition_lists_them_by_topic_then_partition()
    {
        _groups.Commit(Simple, -1, "", (2, 30), (0, 10), (1, 20));

        var all = _groups.Coordinator.FetchOffsets(Simple, null);

        Assert.Equal([0, 1, 2], all.Select(o => o.Partition.Partition));
    }

    [Fact]
    public void A_fetch_for_a_group_nobody_knows_answers_no_offset_rather_than_an_error()
    {
        Assert.Null(_groups.Committed("nobody", 0));
        Assert.Empty(_groups.Coordinator.FetchOffsets("nobody", null));
    }

    [Fact]
    public void A_commit_for_a_partition_that_does_not_exist_fails_only_that_partition()
    {
        var errors = _groups.Coordinator.CommitOffsets(Simple, -1, "", null,
            [new OffsetCommitEntry(Topic, 0, 1, -1, null), new OffsetCommitEntry(Topic, 9, 1, -1, null), new OffsetCommitEntry("missing", 0, 1, -1, null)]);

        Assert.Equal([ErrorCode.None, ErrorCode.UnknownTopicOrPartition, ErrorCode.UnknownTopicOrPartition], errors);
        Assert.Equal(1, _groups.Committed(Simple, 0));
    }

    [Fact]
    public async Task A_commit_with_metadata_over_the_limit_fails_only_that_partition()
    {
        await using var groups = new CoordinatorUnderTest(("offset.metadata.max.bytes", "4"));

        var errors = groups.Coordinator.CommitOffsets(Simple, -1, "", null,
            [new OffsetCommitEntry(Topic, 0, 1, -1, "four"), new OffsetCommitEntry(Topic, 1, 1, -1, "fives")]);

        Assert.Equal([ErrorCode.None, ErrorCode.OffsetMetadataTooLarge], errors);
    }

    [Fact]
    public void A_commit_with_a_generation_for_a_group_the_coordinator_does_not_know_answers_illegal_generation()
    {
        Assert.Equal([ErrorCode.IllegalGeneration], _groups.Commit("nobody", 3, "ghost", (0, 1)));
        Assert.Equal([ErrorCode.InvalidGroupId], _groups.Commit("", -1, "", (0, 1)));
    }

    [Fact]
    public async Task A_member_commits_with_its_current_generation()
    {
        var member = await _groups.StableSingleMemberAsync();

        Assert.Equal([ErrorCode.None], _groups.Commit(Group, member.GenerationId, member.MemberId, (0, 5)));
        Assert.Equal(5, _groups.Committed(Group, 0));
    }

    [Fact]
    public async Task A_commit_from_another_generation_answers_illegal_generation_and_stores_nothing()
    {
        var member = await _groups.StableSingleMemberAsync();

        Assert.Equal([ErrorCode.IllegalGeneration], _groups.Commit(Group, member.GenerationId + 1, member.MemberId, (0, 5)));
        Assert.Null(_groups.Committed(Group, 0));
    }

    [Fact]
    public async Task A_commit_from_a_non_member_of_an_active_group_answers_unknown_member()
    {
        var member = await _groups.StableSingleMemberAsync();

        Assert.Equal([ErrorCode.UnknownMemberId], _groups.Commit(Group, member.GenerationId, "ghost", (0, 5)));

        // Also an admin tool's commit (no generation): offsets of a group in use are its members' business.
        Assert.Equal([ErrorCode.UnknownMemberId], _groups.Commit(Group, -1, "", (0, 5)));
    }

    [Fact]
    public async Task A_commit_while_the_new_assignment_is_being_handed_out_answers_rebalance_in_progress()
    {
        var member = await _groups.JoinNewAsync();

        Assert.Equal([ErrorCode.RebalanceInProgress], _groups.Commit(Group, member.GenerationId, member.MemberId, (0, 5)));
    }

    [Fact]
    public async Task A_commit_while_members_rejoin_is_accepted_so_cooperative_members_keep_their_progress()
    {
        var member = await _groups.StableSingleMemberAsync();
        _ = _groups.JoinAsync(Request());

        Assert.Equal([ErrorCode.None], _groups.Commit(Group, member.GenerationId, member.MemberId, (0, 5)));
    }

    [Fact]
    public async Task A_commit_counts_as_a_heartbeat()
    {
        var member = await _groups.StableSingleMemberAsync();

        _groups.Advance(SessionTimeoutMs - 1);
        _groups.Commit(Group, member.GenerationId, member.MemberId, (0, 5));
        _groups.Advance(SessionTimeoutMs - 1);

        Assert.Equal(ErrorCode.None, _groups.Heartbeat(member));
    }

    [Fact]
    public async Task A_consumer_groups_offsets_expire_a_retention_period_after_it_became_empty()
    {
        var member = await _groups.StableSingleMemberAsync();
        _groups.Commit(Group, member.GenerationId, member.MemberId, (0, 5));

        // How long ago the commit was does not matter while the group had members.
        for (var i = 0; i < 9; i++)
        {
            _groups.Advance(SessionTimeoutMs - 1);
            Assert.Equal(ErrorCode.None, _groups.Heartbeat(member));
        }

        _groups.Coordinator.Leave(Group, member.MemberId);

        _groups.Advance((int)Retention.TotalMilliseconds - 1_000);
        Assert.Equal(5, _groups.Committed(Group, 0));

        _groups.Advance(1_000);

        Assert.Null(_groups.Committed(Group, 0));
        Assert.Equal(nameof(GroupState.Dead), _groups.State());
        Assert.Empty(_groups.Coordinator.ListGroups([]));
    }

    [Fact]
    public async Task Offsets_of_a_group_with_members_never_expire()
    {
        await using var groups = new CoordinatorUnderTest(("offsets.retention.minutes", "1"), ("offsets.retention.check.interval.ms", "1000"));
        var member = await groups.StableSingleMemberAsync();
        groups.Commit(Group, member.GenerationId, member.MemberId, (0, 5));

        for (var i = 0; i < 20; i++)
        {
            groups.Advance(SessionTimeoutMs - 1);
            Assert.Equal(ErrorCode.None, groups.Heartbeat(member));
        }

        Assert.Equal(5, groups.Committed(Group, 0));
    }

    [Fact]
    public void A_simple_groups_offsets_expire_one_by_one_a_retention_period_after_each_commit()
    {
        _groups.Commit(Simple, -1, "", (0, 10));
        _groups.Advance(30_000);
        _groups.Commit(Simple, -1, "", (1, 20));

        _groups.Advance(30_000);

        Assert.Null(_groups.Committed(Simple, 0));
        Assert.Equal(20, _groups.Committed(Simple, 1));

        _groups.Advance(30_000);

        Assert.Null(_groups.Committed(Simple, 1));
        Assert.Equal(nameof(GroupState.Dead), _groups.State(Simple));
    }

    [Fact]
    public async Task An_empty_group_can_be_deleted_with_its_offsets_but_an_active_one_cannot()
    {
        var member = await _groups.StableSingleMemberAsync();
        _groups.Commit(Group, member.GenerationId, member.MemberId, (0, 5));

        Assert.Equal(ErrorCode.NonEmptyGroup, _groups.Coordinator.DeleteGroup(Group));

        _groups.Coordinator.Leave(Group, member.MemberId);

        Assert.Equal(ErrorCode.None, _groups.Coordinator.DeleteGroup(Group));
        Assert.Null(_groups.Committed(Group, 0));
        Assert.Equal(ErrorCode.GroupIdNotFound, _groups.Coordinator.DeleteGroup(Group));
    }

    [Fact]
    public void Deleting_offsets_of_an_empty_group_removes_just_those_partitions()
    {
        _groups.Commit(Simple, -1, "", (0, 10), (1, 20));

        var (error, partitions) = _groups.Coordinator.DeleteOffsets(Simple, [new TopicPartition(Topic, 0), new TopicPartition(Topic, 7)]);

        Assert.Equal(ErrorCode.None, error);
        Assert.Equal([ErrorCode.None, ErrorCode.UnknownTopicOrPartition], partitions.Select(p => p.Error));
        Assert.Null(_groups.Committed(Simple, 0));
        Assert.Equal(20, _groups.Committed(Simple, 1));
    }

    [Fact]
    public async Task After_a_restart_offsets_and_the_generation_are_back_and_the_group_is_empty()
    {
        var member = await _groups.StableSingleMemberAsync();
        _groups.Commit(Group, member.GenerationId, member.MemberId, (0, 5));
        _groups.Commit(Simple, -1, "", (1, 7));

        await _groups.RestartAsync();

        Assert.Equal(5, _groups.Committed(Group, 0));
        Assert.Equal(7, _groups.Committed(Simple, 1));
        Assert.Equal(nameof(GroupState.Empty), _groups.State());
        Assert.Equal(ConsumerProtocol.ProtocolType, _groups.Coordinator.DescribeGroup(Group).ProtocolType);
        Assert.Equal(ErrorCode.UnknownMemberId, _groups.Heartbeat(member));
        Assert.Equal(member.GenerationId + 1, (await _groups.JoinNewAsync()).GenerationId);
    }

    [Fact]
    public async Task After_a_restart_retention_of_a_group_that_had_members_counts_from_the_restart()
    {
        var member = await _groups.StableSingleMemberAsync();
        _groups.Commit(Group, member.GenerationId, member.MemberId, (0, 5));
        for (var i = 0; i < 3; i++)
        {
            _groups.Advance(SessionTimeoutMs - 1);
            Assert.Equal(ErrorCode.None, _groups.Heartbeat(member));
        }

        // The broker stops with the member still in the group: it became Empty only by the restart.
        await _groups.RestartAsync();
        _groups.Advance((int)Retention.TotalMilliseconds - 1_000);
        Assert.Equal(5, _groups.Committed(Group, 0));

        _groups.Advance(1_000);
        Assert.Null(_groups.Committed(Group, 0));
    }

    [Fact]
    public async Task After_a_restart_a_group_deleted_before_stays_deleted()
    {
        var member = await _groups.StableSingleMemberAsync();
        _groups.Commit(Group, member.GenerationId, member.MemberId, (0, 5));
        _groups.Coordinator.Leave(Group, member.MemberId);
        _groups.Coordinator.DeleteGroup(Group);

        await _groups.RestartAsync();

        Assert.Equal(nameof(GroupState.Dead), _groups.State());
        Assert.Null(_groups.Committed(Group, 0));
    }
}

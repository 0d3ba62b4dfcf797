using Streams.Broker.Groups;
using Streams.Broker.Protocol;
using static Streams.Broker.Tests.Groups.CoordinatorUnderTest;

namespace Streams.Broker.Tests.Groups;

/// <summary>JoinGroup, SyncGroup, Heartbeat and LeaveGroup against the coordinator alone, with a fake clock.</summary>
public sealed class GroupMembershipUnitTests : IAsyncLifetime
{
    private readonly CoordinatorUnderTest _groups = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _groups.DisposeAsync().AsTask();

    /// <summary>Two members in a Stable group: <c>a</c> leads, <c>b</c> follows.</summary>
    private async Task<(JoinResult A, JoinResult B)> StableTwoMembersAsync()
    {
        var first = await _groups.JoinNewAsync();
        var bJoin = _groups.JoinAsync(Request());
        Assert.False(bJoin.IsCompleted);
        var aJoin = _groups.JoinAsync(Request(memberId: first.MemberId));
        var a = await aJoin;
        var b = await bJoin;
        var bSync = _groups.SyncAsync(b);
        var aSync = _groups.SyncAsync(a, (a.MemberId, [1]), (b.MemberId, [2]));
        Assert.Equal(ErrorCode.None, (await aSync).Error);
        Assert.Equal(ErrorCode.None, (await bSync).Error);
        Assert.Equal(nameof(GroupState.Stable), _groups.State());
        return (a, b);
    }

    [Fact]
    public async Task The_first_member_leads_generation_one_and_sees_itself_in_the_member_list()
    {
        var joined = await _groups.JoinNewAsync();

        Assert.Equal(1, joined.GenerationId);
        Assert.Equal(joined.MemberId, joined.LeaderId);
        Assert.Equal("range", joined.ProtocolName);
        Assert.Equal([joined.MemberId], joined.Members.Select(m => m.MemberId));
        Assert.StartsWith("client-", joined.MemberId, StringComparison.Ordinal);
        Assert.Equal(nameof(GroupState.CompletingRebalance), _groups.State());
    }

    [Fact]
    public async Task The_leaders_sync_makes_the_group_stable_and_hands_out_its_assignment()
    {
        var joined = await _groups.JoinNewAsync();

        var synced = await _groups.SyncAsync(joined, (joined.MemberId, [4, 2]));

        Assert.Equal(ErrorCode.None, synced.Error);
        Assert.Equal([4, 2], synced.Assignment);
        Assert.Equal(nameof(GroupState.Stable), _groups.State());
    }

    [Fact]
    public async Task A_followers_sync_waits_for_the_leaders_assignment()
    {
        var first = await _groups.JoinNewAsync();
        var bJoin = _groups.JoinAsync(Request());
        var a = await _groups.JoinAsync(Request(memberId: first.MemberId));
        var b = await bJoin;

        var bSync = _groups.SyncAsync(b);
        Assert.False(bSync.IsCompleted);

        await _groups.SyncAsync(a, (a.MemberId, [1]), (b.MemberId, [2]));

        Assert.Equal([2], (await bSync).Assignment);
    }

    [Fact]
    public async Task A_member_joining_a_stable_group_starts_a_rebalance_that_ends_when_everyone_rejoined()
    {
        var a = await _groups.StableSingleMemberAsync();

        var bJoin = _groups.JoinAsync(Request());

        Assert.False(bJoin.IsCompleted);
        Assert.Equal(nameof(GroupState.PreparingRebalance), _groups.State());
        Assert.Equal(ErrorCode.RebalanceInProgress, _groups.Heartbeat(a));

        var aAgain = await _groups.JoinAsync(Request(memberId: a.MemberId));
        var b = await bJoin;

        Assert.Equal(2, aAgain.GenerationId);
        Assert.Equal(2, b.GenerationId);
        Assert.Equal(a.MemberId, aAgain.LeaderId);
        Assert.Equal(2, aAgain.Members.Count);
        Assert.Empty(b.Members);
        Assert.Equal(nameof(GroupState.CompletingRebalance), _groups.State());
    }

    [Fact]
    public async Task Every_completed_join_phase_starts_a_new_generation()
    {
        var (a, b) = await StableTwoMembersAsync();
        Assert.Equal(2, a.GenerationId);

        Assert.Equal(ErrorCode.None, _groups.Coordinator.Leave(Group, b.MemberId));
        var again = await _groups.JoinAsync(Request(memberId: a.MemberId));

        Assert.Equal(3, again.GenerationId);
    }

    [Fact]
    public async Task A_follower_rejoining_a_stable_group_unchanged_gets_the_current_generation_without_a_rebalance()
    {
        var (_, b) = await StableTwoMembersAsync();

        var again = await _groups.JoinAsync(Request(memberId: b.MemberId));

        Assert.Equal(ErrorCode.None, again.Error);
        Assert.Equal(b.GenerationId, again.GenerationId);
        Assert.Equal(nameof(GroupState.Stable), _groups.State());
    }

    [Fact]
    public async Task A_follower_rejoining_with_a_new_subscription_starts_a_rebalance()
    {
        var (_, b) = await StableTwoMembersAsync();

        var again = _groups.JoinAsync(Request(memberId: b.MemberId, subscription: 2));

        Assert.False(again.IsCompleted);
        Assert.Equal(nameof(GroupState.PreparingRebalance), _groups.State());
    }

    [Fact]
    public async Task A_join_requiring_a_known_member_id_is_answered_with_an_id_that_the_next_join_uses()
    {
        var first = await _groups.JoinAsync(Request(requireKnownMemberId: true));

        Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
        Assert.NotEmpty(first.MemberId);

        var second = await _groups.JoinAsync(Request(memberId: first.MemberId, requireKnownMemberId: true));

        Assert.Equal(ErrorCode.None, second.Error);
        Assert.Equal(first.MemberId, second.MemberId);
        Assert.Equal(1, second.GenerationId);
    }

    [Fact]
    public async Task A_member_id_handed_out_but_never_used_expires_with_its_session_timeout()
    {
        var first = await _groups.JoinAsync(Request(requireKnownMemberId: true));

        _groups.Advance(SessionTimeoutMs);

        var late = await _groups.JoinAsync(Request(memberId: first.MemberId, requireKnownMemberId: true));
        Assert.Equal(ErrorCode.UnknownMemberId, late.Error);
    }

    [Theory]
    [InlineData(5_999)]
    [InlineData(1_800_001)]
    public async Task A_session_timeout_outside_the_brokers_bounds_is_refused(int sessionTimeoutMs)
    {
        var result = await _groups.JoinAsync(Request(sessionTimeoutMs: sessionTimeoutMs));

        Assert.Equal(ErrorCode.InvalidSessionTimeout, result.Error);
    }

    [Fact]
    public async Task An_empty_group_id_is_invalid_for_every_membership_request()
    {
        Assert.Equal(ErrorCode.InvalidGroupId, (await _groups.JoinAsync(Request(group: ""))).Error);
        Assert.Equal(ErrorCode.InvalidGroupId, (await _groups.Coordinator.SyncAsync("", 1, "m", null, [])).Error);
        Assert.Equal(ErrorCode.InvalidGroupId, _groups.Coordinator.Heartbeat("", 1, "m", null));
        Assert.Equal(ErrorCode.InvalidGroupId, _groups.Coordinator.Leave("", "m"));
    }

    [Fact]
    public async Task A_member_with_another_protocol_type_or_no_common_protocol_is_refused()
    {
        await _groups.StableSingleMemberAsync();

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await _groups.JoinAsync(Request(protocolType: "connect"))).Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await _groups.JoinAsync(Request(protocols: ["roundrobin"]))).Error);
        Assert.Equal(nameof(GroupState.Stable), _groups.State());
    }

    [Fact]
    public async Task The_protocol_every_member_supports_is_chosen()
    {
        var a = await _groups.JoinAsync(Request(protocols: ["cooperative-sticky", "range"]));
        var bJoin = _groups.JoinAsync(Request(protocols: ["range"]));
        var aAgain = await _groups.JoinAsync(Request(memberId: a.MemberId, protocols: ["cooperative-sticky", "range"]));

        Assert.Equal("cooperative-sticky", a.ProtocolName);
        Assert.Equal("range", aAgain.ProtocolName);
        Assert.Equal("range", (await bJoin).ProtocolName);
    }

    [Fact]
    public async Task A_full_group_refuses_another_member()
    {
        await using var groups = new CoordinatorUnderTest(("group.max.size", "1"));
        await groups.JoinNewAsync();

        Assert.Equal(ErrorCode.GroupMaxSizeReached, (await groups.JoinAsync(Request())).Error);
    }

    [Fact]
    public async Task Joining_with_a_member_id_the_group_does_not_know_answers_unknown_member()
    {
        Assert.Equal(ErrorCode.UnknownMemberId, (await _groups.JoinAsync(Request(memberId: "ghost"))).Error);

        await _groups.StableSingleMemberAsync();

        Assert.Equal(ErrorCode.UnknownMemberId, (await _groups.JoinAsync(Request(memberId: "ghost"))).Error);
    }

    [Fact]
    public async Task Sync_with_another_generation_answers_illegal_generation()
    {
        var joined = await _groups.JoinNewAsync();

        var synced = await _groups.Coordinator.SyncAsync(Group, joined.GenerationId + 1, joined.MemberId, null, []);

        Assert.Equal(ErrorCode.IllegalGeneration, synced.Error);
    }

    [Fact]
    public async Task Sync_from_an_unknown_member_answers_unknown_member()
    {
        var joined = await _groups.JoinNewAsync();

        Assert.Equal(ErrorCode.UnknownMemberId, (await _groups.Coordinator.SyncAsync(Group, joined.GenerationId, "ghost", null, [])).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, (await _groups.Coordinator.SyncAsync("nobody", 1, "ghost", null, [])).Error);
    }

    [Fact]
    public async Task Sync_while_a_rebalance_is_being_prepared_answers_rebalance_in_progress()
    {
        var a = await _groups.StableSingleMemberAsync();
        _ = _groups.JoinAsync(Request());

        Assert.Equal(ErrorCode.RebalanceInProgress, (await _groups.SyncAsync(a)).Error);
    }

    [Fact]
    public async Task Sync_in_a_stable_group_repeats_the_members_assignment()
    {
        var a = await _groups.StableSingleMemberAsync();

        Assert.Equal([7], (await _groups.SyncAsync(a)).Assignment);
    }

    [Fact]
    public async Task A_heartbeat_with_the_current_generation_is_accepted_while_completing_and_when_stable()
    {
        var joined = await _groups.JoinNewAsync();
        Assert.Equal(ErrorCode.None, _groups.Heartbeat(joined));

        await _groups.SyncAsync(joined, (joined.MemberId, [1]));

        Assert.Equal(ErrorCode.None, _groups.Heartbeat(joined));
    }

    [Fact]
    public async Task A_heartbeat_with_another_generation_answers_illegal_generation()
    {
        var joined = await _groups.StableSingleMemberAsync();

        Assert.Equal(ErrorCode.IllegalGeneration, _groups.Heartbeat(joined, joined.GenerationId - 1));
        Assert.Equal(ErrorCode.IllegalGeneration, _groups.Heartbeat(joined, joined.GenerationId + 1));
    }

    [Fact]
    public async Task A_heartbeat_from_an_unknown_member_answers_unknown_member()
    {
        var joined = await _groups.StableSingleMemberAsync();

        Assert.Equal(ErrorCode.UnknownMemberId, _groups.Coordinator.Heartbeat(Group, joined.GenerationId, "ghost", null));
        Assert.Equal(ErrorCode.UnknownMemberId, _groups.Coordinator.Heartbeat("nobody", 1, joined.MemberId, null));
    }

    [Fact]
    public async Task Heartbeat_after_session_timeout_answers_unknown_member()
    {
        var joined = await _groups.StableSingleMemberAsync();

        _groups.Advance(SessionTimeoutMs - 1);
        Assert.Equal(nameof(GroupState.Stable), _groups.State());

        _groups.Advance(1);

        Assert.Equal(ErrorCode.UnknownMemberId, _groups.Heartbeat(joined));
        Assert.Equal(nameof(GroupState.Empty), _groups.State());
    }

    [Fact]
    public async Task Heartbeats_keep_a_member_alive_well_past_one_session_timeout()
    {
        var joined = await _groups.StableSingleMemberAsync();

        for (var i = 0; i < 5; i++)
        {
            _groups.Advance(SessionTimeoutMs - 1);
            Assert.Equal(ErrorCode.None, _groups.Heartbeat(joined));
        }

        Assert.Equal(nameof(GroupState.Stable), _groups.State());
    }

    [Fact]
    public async Task When_one_members_session_expires_the_others_rebalance_without_it()
    {
        var (a, b) = await StableTwoMembersAsync();

        _groups.Advance(SessionTimeoutMs / 2);
        Assert.Equal(ErrorCode.None, _groups.Heartbeat(a));
        _groups.Advance(SessionTimeoutMs / 2);

        Assert.Equal(ErrorCode.UnknownMemberId, _groups.Heartbeat(b));
        Assert.Equal(ErrorCode.RebalanceInProgress, _groups.Heartbeat(a));
        var again = await _groups.JoinAsync(Request(memberId: a.MemberId));
        Assert.Equal(a.GenerationId + 1, again.GenerationId);
        Assert.Equal([a.MemberId], again.Members.Select(m => m.MemberId));
    }

    [Fact]
    public async Task Waiting_in_a_rebalance_counts_as_alive_for_an_established_member()
    {
        const int Long = 60_000;
        var a0 = await _groups.JoinAsync(Request(rebalanceTimeoutMs: Long));
        var bJoin = _groups.JoinAsync(Request(rebalanceTimeoutMs: Long));
        var a = await _groups.JoinAsync(Request(memberId: a0.MemberId, rebalanceTimeoutMs: Long));
        var b = await bJoin;
        var bSync = _groups.SyncAsync(b);
        await _groups.SyncAsync(a, (a.MemberId, [1]), (b.MemberId, [2]));
        await bSync;

        // A newcomer starts a rebalance; a rejoins at once and then waits, parked, for b.
        var cJoin = _groups.JoinAsync(Request(rebalanceTimeoutMs: Long));
        var aParked = _groups.JoinAsync(Request(memberId: a.MemberId, rebalanceTimeoutMs: Long));
        for (var i = 0; i < 2; i++)
        {
            _groups.Advance(SessionTimeoutMs - 1);
            Assert.Equal(ErrorCode.RebalanceInProgress, _groups.Heartbeat(b));
        }

        // a has not heartbeaten for two session timeouts, yet it is still in the group.
        Assert.False(aParked.IsCompleted);
        await _groups.JoinAsync(Request(memberId: b.MemberId, rebalanceTimeoutMs: Long));
        Assert.Equal(3, (await aParked).Members.Count);
        Assert.Equal(ErrorCode.None, (await cJoin).Error);
    }

    [Fact]
    public async Task A_member_that_does_not_rejoin_within_the_rebalance_timeout_is_left_out_of_the_next_generation()
    {
        var (a, b) = await StableTwoMembersAsync();
        var cJoin = _groups.JoinAsync(Request());
        var aJoin = _groups.JoinAsync(Request(memberId: a.MemberId));
        Assert.Equal(ErrorCode.RebalanceInProgress, _groups.Heartbeat(b));

        _groups.Advance(RebalanceTimeoutMs);

        var aJoined = await aJoin;
        Assert.Equal(a.GenerationId + 1, aJoined.GenerationId);
        Assert.Equal(2, aJoined.Members.Count);
        Assert.DoesNotContain(b.MemberId, aJoined.Members.Select(m => m.MemberId));
        Assert.Equal(ErrorCode.None, (await cJoin).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, _groups.Heartbeat(b));
    }

    [Fact]
    public async Task A_member_that_never_sends_sync_group_is_removed_after_the_rebalance_timeout()
    {
        var joined = await _groups.JoinNewAsync();

        // Heartbeats alone do not save it: the assignment must be collected.
        _groups.Advance(RebalanceTimeoutMs - 1);
        Assert.Equal(ErrorCode.None, _groups.Heartbeat(joined));
        _groups.Advance(1);

        Assert.Equal(ErrorCode.UnknownMemberId, _groups.Heartbeat(joined));
        Assert.Equal(nameof(GroupState.Empty), _groups.State());
    }

    [Fact]
    public async Task Leave_of_the_last_member_empties_the_group_with_a_new_generation()
    {
        var joined = await _groups.StableSingleMemberAsync();

        Assert.Equal(ErrorCode.None, _groups.Coordinator.Leave(Group, joined.MemberId));

        Assert.Equal(nameof(GroupState.Empty), _groups.State());
        Assert.Equal(ErrorCode.UnknownMemberId, _groups.Heartbeat(joined));
        var next = await _groups.JoinNewAsync();
        Assert.Equal(joined.GenerationId + 2, next.GenerationId);
    }

    [Fact]
    public async Task Leave_of_one_member_rebalances_the_others()
    {
        var (a, b) = await StableTwoMembersAsync();

        Assert.Equal(ErrorCode.None, _groups.Coordinator.Leave(Group, a.MemberId));

        Assert.Equal(nameof(GroupState.PreparingRebalance), _groups.State());
        var again = await _groups.JoinAsync(Request(memberId: b.MemberId));
        Assert.Equal(b.MemberId, again.LeaderId);
    }

    [Fact]
    public async Task Leave_of_an_unknown_member_or_group_answers_unknown_member()
    {
        await _groups.StableSingleMemberAsync();

        Assert.Equal(ErrorCode.UnknownMemberId, _groups.Coordinator.Leave(Group, "ghost"));
        Assert.Equal(ErrorCode.UnknownMemberId, _groups.Coordinator.Leave("nobody", "ghost"));
    }

    [Fact]
    public async Task A_restarted_static_member_takes_its_slot_back_without_a_rebalance_and_fences_its_old_id()
    {
        var joined = await _groups.JoinNewAsync(groupInstanceId: "pod-1");
        await _groups.SyncAsync(joined, (joined.MemberId, [3]));

        var restarted = await _groups.JoinAsync(Request(groupInstanceId: "pod-1"));

        Assert.Equal(ErrorCode.None, restarted.Error);
        Assert.NotEqual(joined.MemberId, restarted.MemberId);
        Assert.Equal(joined.GenerationId, restarted.GenerationId);
        Assert.Equal(nameof(GroupState.Stable), _groups.State());
        Assert.Equal([3], (await _groups.Coordinator.SyncAsync(Group, restarted.GenerationId, restarted.MemberId, "pod-1", [])).Assignment);
        Assert.Equal(ErrorCode.FencedInstanceId, _groups.Coordinator.Heartbeat(Group, joined.GenerationId, joined.MemberId, "pod-1"));
    }

    [Fact]
    public async Task Describe_shows_members_and_assignments_only_once_stable()
    {
        var joined = await _groups.JoinNewAsync();
        var completing = _groups.Coordinator.DescribeGroup(Group);
        Assert.Equal(string.Empty, completing.ProtocolData);
        Assert.Empty(completing.Members.Single().Assignment);

        await _groups.SyncAsync(joined, (joined.MemberId, [9]));
        var stable = _groups.Coordinator.DescribeGroup(Group);

        Assert.Equal("range", stable.ProtocolData);
        Assert.Equal([9], stable.Members.Single().Assignment);
        Assert.Equal(nameof(GroupState.Dead), _groups.State("nobody"));
    }

    [Fact]
    public async Task Stopping_the_coordinator_answers_a_parked_join()
    {
        await _groups.StableSingleMemberAsync();
        var bJoin = _groups.JoinAsync(Request());
        Assert.False(bJoin.IsCompleted);

        await _groups.StopAsync();

        Assert.Equal(ErrorCode.CoordinatorNotAvailable, (await bJoin).Error);
    }

    [Fact]
    public async Task Stopping_the_coordinator_answers_a_parked_sync()
    {
        var first = await _groups.JoinNewAsync();
        var bJoin = _groups.JoinAsync(Request());
        await _groups.JoinAsync(Request(memberId: first.MemberId));
        var bSync = _groups.SyncAsync(await bJoin);
        Assert.False(bSync.IsCompleted);

        await _groups.StopAsync();

        Assert.Equal(ErrorCode.CoordinatorNotAvailable, (await bSync).Error);
    }

    [Fact]
    public async Task The_first_rebalance_waits_the_initial_delay_for_more_members_then_starts_one_generation_for_all()
    {
        await using var groups = new CoordinatorUnderTest(("group.initial.rebalance.delay.ms", "3000"));
        var aJoin = groups.JoinAsync(Request(rebalanceTimeoutMs: 10_000));
        groups.Advance(2_000);
        var bJoin = groups.JoinAsync(Request(rebalanceTimeoutMs: 10_000));

        // Each newcomer restarts the delay: 3 s after a would be too early now.
        groups.Advance(1_000);
        Assert.False(aJoin.IsCompleted);
        groups.Advance(2_000);

        var a = await aJoin;
        Assert.Equal(1, a.GenerationId);
        Assert.Equal(2, a.Members.Count);
        Assert.Equal(1, (await bJoin).GenerationId);
    }

    [Fact]
    public async Task A_follower_that_never_collects_its_assignment_is_removed_after_the_sync_deadline_even_once_stable()
    {
        var first = await _groups.JoinNewAsync();
        var bJoin = _groups.JoinAsync(Request());
        var a = await _groups.JoinAsync(Request(memberId: first.MemberId));
        var b = await bJoin;
        await _groups.SyncAsync(a, (a.MemberId, [1]), (b.MemberId, [2]));
        Assert.Equal(nameof(GroupState.Stable), _groups.State());

        _groups.Advance(RebalanceTimeoutMs);

        Assert.Equal(ErrorCode.UnknownMemberId, _groups.Heartbeat(b));
        Assert.Equal(ErrorCode.RebalanceInProgress, _groups.Heartbeat(a));
    }

    [Fact]
    public async Task When_the_leader_leaves_before_its_sync_the_waiting_followers_rejoin_and_one_of_them_leads()
    {
        var first = await _groups.JoinNewAsync();
        var bJoin = _groups.JoinAsync(Request());
        var a = await _groups.JoinAsync(Request(memberId: first.MemberId));
        var b = await bJoin;
        var bSync = _groups.SyncAsync(b);

        Assert.Equal(ErrorCode.None, _groups.Coordinator.Leave(Group, a.MemberId));

        Assert.Equal(ErrorCode.RebalanceInProgress, (await bSync).Error);
        var again = await _groups.JoinAsync(Request(memberId: b.MemberId));
        Assert.Equal(b.GenerationId + 1, again.GenerationId);
        Assert.Equal(b.MemberId, again.LeaderId);
    }

    [Fact]
    public async Task A_static_member_whose_session_expired_is_gone_and_its_instance_id_joins_as_new()
    {
        var joined = await _groups.JoinNewAsync(groupInstanceId: "pod-1");
        await _groups.SyncAsync(joined, (joined.MemberId, [3]));

        _groups.Advance(SessionTimeoutMs);
        Assert.Equal(nameof(GroupState.Empty), _groups.State());

        var back = await _groups.JoinNewAsync(groupInstanceId: "pod-1");
        Assert.Equal(joined.GenerationId + 2, back.GenerationId);
        Assert.Equal(back.MemberId, back.LeaderId);
    }
}

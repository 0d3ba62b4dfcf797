using Streams.Broker.Groups;

namespace Streams.Broker.Tests.Groups;

/// <summary>The classic group state machine: exactly Kafka's transitions, anything else is a bug that throws.</summary>
public sealed class GroupStateUnitTests
{
    private const long Now = 1_000;

    /// <summary>Every (from, to) pair with whether Kafka's classic coordinator allows it; by name, as the enum is internal.</summary>
    public static TheoryData<string, string, bool> Transitions()
    {
        var allowed = new HashSet<(GroupState, GroupState)>
        {
            (GroupState.Empty, GroupState.PreparingRebalance),
            (GroupState.CompletingRebalance, GroupState.PreparingRebalance),
            (GroupState.Stable, GroupState.PreparingRebalance),
            (GroupState.PreparingRebalance, GroupState.CompletingRebalance),
            (GroupState.CompletingRebalance, GroupState.Stable),
            (GroupState.PreparingRebalance, GroupState.Empty),
            (GroupState.Empty, GroupState.Dead),
            (GroupState.PreparingRebalance, GroupState.Dead),
            (GroupState.CompletingRebalance, GroupState.Dead),
            (GroupState.Stable, GroupState.Dead),
            (GroupState.Dead, GroupState.Dead),
        };
        var data = new TheoryData<string, string, bool>();
        foreach (var from in Enum.GetValues<GroupState>())
        {
            foreach (var to in Enum.GetValues<GroupState>())
            {
                data.Add(from.ToString(), to.ToString(), allowed.Contains((from, to)));
            }
        }

        return data;
    }

    /// <summary>A group brought to <paramref name="state"/> by allowed steps only.</summary>
    private static ConsumerGroup GroupIn(GroupState state)
    {
        var group = new ConsumerGroup("g", 0);
        var path = state switch
        {
            GroupState.Empty => [],
            GroupState.PreparingRebalance => [GroupState.PreparingRebalance],
            GroupState.CompletingRebalance => [GroupState.PreparingRebalance, GroupState.CompletingRebalance],
            GroupState.Stable => [GroupState.PreparingRebalance, GroupState.CompletingRebalance, GroupState.Stable],
            _ => new[] { GroupState.Dead },
        };
        foreach (var step in path)
        {
            group.TransitionTo(step, 0);
        }

        Assert.Equal(state, group.State);
        return group;
    }

    [Theory]
    [MemberData(nameof(Transitions))]
    public void Only_the_transitions_of_Kafkas_classic_coordinator_are_allowed(string fromName, string toName, bool allowed)
    {
        var from = Enum.Parse<GroupState>(fromName);
        var to = Enum.Parse<GroupState>(toName);
        Assert.Equal(allowed, GroupStates.CanTransition(from, to));

        var group = GroupIn(from);
        if (allowed)
        {
            group.TransitionTo(to, Now);
            Assert.Equal(to, group.State);
            Assert.Equal(Now, group.StateTimestampMs);
        }
        else
        {
            Assert.Throws<InvalidOperationException>(() => group.TransitionTo(to, Now));
            Assert.Equal(from, group.State);
            Assert.Equal(0, group.StateTimestampMs);
        }
    }

    [Fact]
    public void An_invalid_transition_names_the_group_and_both_states()
    {
        var group = new ConsumerGroup("payments", 0);

        var error = Assert.Throws<InvalidOperationException>(() => group.TransitionTo(GroupState.Stable, Now));

        Assert.Contains("payments", error.Message, StringComparison.Ordinal);
        Assert.Contains("Empty", error.Message, StringComparison.Ordinal);
        Assert.Contains("Stable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_group_is_empty_since_its_creation()
    {
        var group = new ConsumerGroup("g", 42);

        Assert.Equal(GroupState.Empty, group.State);
        Assert.Equal(42, group.StateTimestampMs);
        Assert.Equal(0, group.GenerationId);
        Assert.True(group.IsSimple);
    }

    [Fact]
    public void Restoring_a_group_that_is_already_rebalancing_is_a_bug()
    {
        var group = GroupIn(GroupState.PreparingRebalance);

        Assert.Throws<InvalidOperationException>(() => group.Restore("consumer", 5, Now));
    }

    [Fact]
    public void A_join_phase_that_ends_with_nobody_starts_an_empty_generation()
    {
        var group = GroupIn(GroupState.PreparingRebalance);

        Assert.Null(group.StartNextGeneration(Now));

        Assert.Equal(GroupState.Empty, group.State);
        Assert.Equal(1, group.GenerationId);
        Assert.Null(group.LeaderId);
        Assert.Null(group.ProtocolName);
    }

    [Fact]
    public void Starting_a_generation_outside_a_join_phase_is_a_bug_and_changes_nothing()
    {
        var group = GroupIn(GroupState.Stable);

        Assert.Throws<InvalidOperationException>(() => group.StartNextGeneration(Now));

        Assert.Equal(0, group.GenerationId);
        Assert.Equal(GroupState.Stable, group.State);
    }

    [Fact]
    public void The_first_rebalance_of_an_empty_group_waits_the_initial_delay_growing_up_to_the_rebalance_timeout()
    {
        var group = new ConsumerGroup("g", 0);
        group.Add(new GroupMember("m1", null, "c", "h", 10_000, rebalanceTimeoutMs: 5_000, [new GroupProtocol("range", [])]), "consumer");

        group.PrepareRebalance(Now, initialDelayMs: 3_000);
        Assert.True(group.InInitialDelay);
        Assert.Equal(Now + 3_000, group.JoinDeadlineMs);

        group.ExtendInitialDelay(Now + 2_500, initialDelayMs: 3_000);

        Assert.Equal(Now + 5_000, group.JoinDeadlineMs);
    }

    [Fact]
    public void A_rebalance_of_a_stable_group_waits_the_rebalance_timeout_without_initial_delay()
    {
        var group = GroupIn(GroupState.Stable);
        group.Add(new GroupMember("m1", null, "c", "h", 10_000, rebalanceTimeoutMs: 5_000, [new GroupProtocol("range", [])]), "consumer");

        group.PrepareRebalance(Now, initialDelayMs: 3_000);

        Assert.False(group.InInitialDelay);
        Assert.Equal(Now + 5_000, group.JoinDeadlineMs);
    }
}

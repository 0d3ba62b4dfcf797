namespace Streams.Broker.Groups;

/// <summary>
/// The classic coordinator's group states. The names are sent verbatim in DescribeGroups and ListGroups, so they
/// must stay spelled exactly as Kafka spells them.
/// </summary>
internal enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

/// <summary>
/// The transitions Kafka's classic coordinator allows (its GroupState's valid previous states). A group only
/// changes state through <see cref="ConsumerGroup.TransitionTo"/>, which refuses anything else: reaching an
/// invalid transition is a coordinator bug, better caught by a test than shipped as a confused group.
/// </summary>
internal static class GroupStates
{
    /// <summary>True when a group in <paramref name="from"/> may move to <paramref name="to"/>.</summary>
    public static bool CanTransition(GroupState from, GroupState to) => to switch
    {
        // A join (first member, rejoin, new subscription) or a departure starts a rebalance from any live state
        // except a running one, which simply absorbs the change.
        GroupState.PreparingRebalance => from is GroupState.Empty or GroupState.CompletingRebalance or GroupState.Stable,

        // The join phase ended with members: the leader is computing the assignment.
        GroupState.CompletingRebalance => from is GroupState.PreparingRebalance,

        // Only the leader's SyncGroup ends the assignment phase.
        GroupState.Stable => from is GroupState.CompletingRebalance,

        // The join phase ended with nobody left.
        GroupState.Empty => from is GroupState.PreparingRebalance,

        // Deleting or expiring a group is allowed from anywhere, and repeating it is harmless.
        GroupState.Dead => true,
        _ => false,
    };
}

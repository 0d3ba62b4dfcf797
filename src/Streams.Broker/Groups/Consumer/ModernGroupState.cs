namespace Streams.Broker.Groups.Consumer;

/// <summary>
/// The KIP-848 half of a group that runs the <c>consumer</c> protocol: members, the group epoch (bumped by every
/// change of membership, subscriptions or subscribed topics' partitions), and the target assignment computed for one
/// group epoch (the assignment epoch). Members converge on the target one heartbeat at a time; nobody stops.
/// Guarded by the owning <see cref="ConsumerGroup.Lock"/>.
/// </summary>
internal sealed class ModernGroupState
{
    /// <summary>The protocol type Kafka reports for consumer groups in ListGroups and DescribeGroups.</summary>
    public const string ProtocolTypeName = "consumer";

    /// <summary>The group type ListGroups v5 reports (KIP-848).</summary>
    public const string GroupTypeName = "consumer";

    public int GroupEpoch { get; set; }

    public int AssignmentEpoch { get; set; }

    /// <summary>Insertion-ordered, for a stable listing.</summary>
    public Dictionary<string, ConsumerGroupMember> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>group.instance.id → the member id holding it.</summary>
    public Dictionary<string, string> StaticMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>member id → the partitions the assignor gave it at <see cref="AssignmentEpoch"/>.</summary>
    public Dictionary<string, HashSet<TopicPartition>> TargetAssignment { get; } = new(StringComparer.Ordinal);

    /// <summary>The subscribed topics and their partition counts the target was computed from; a change bumps the group epoch.</summary>
    public SortedDictionary<string, int> SubscribedTopics { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The assignor of the current target assignment.</summary>
    public string AssignorName { get; set; } = string.Empty;

    /// <summary>Kafka's consumer group states: Empty, Assigning, Reconciling, Stable.</summary>
    public string State =>
        Members.Count == 0 ? "Empty"
        : AssignmentEpoch < GroupEpoch ? "Assigning"
        : Members.Values.Any(m => m.MemberEpoch != AssignmentEpoch || m.Revoking.Count > 0 || m.Unreleased.Count > 0) ? "Reconciling"
        : "Stable";

    /// <summary>The member that owns <paramref name="partition"/> now, other than <paramref name="except"/>; null if free.</summary>
    public ConsumerGroupMember? OwnerOf(TopicPartition partition, ConsumerGroupMember except) =>
        Members.Values.FirstOrDefault(m => !ReferenceEquals(m, except) && m.Assigned.Contains(partition));
}

using System.Text.RegularExpressions;

namespace Streams.Broker.Groups.Consumer;

/// <summary>
/// One member of a KIP-848 <c>consumer</c> group, as the coordinator tracks it between heartbeats. Guarded by its
/// group's lock. <see cref="Assigned"/> is what the coordinator believes the member owns, including partitions it was
/// asked to give up but has not confirmed giving up yet (<see cref="Revoking"/>): such a partition is nobody else's
/// until then, which is what keeps two members from consuming it at once.
/// </summary>
internal sealed class ConsumerGroupMember(string memberId)
{
    public string MemberId { get; } = memberId;

    /// <summary>The epoch the member runs at: the assignment epoch it last reconciled to; 0 before its first.</summary>
    public int MemberEpoch { get; set; }

    /// <summary>The epoch before the last bump; a heartbeat still carrying it is not fenced (its response may have been lost).</summary>
    public int PreviousMemberEpoch { get; set; } = -1;

    public string? InstanceId { get; set; }

    public string? RackId { get; set; }

    public string ClientId { get; set; } = string.Empty;

    public string ClientHost { get; set; } = string.Empty;

    public int RebalanceTimeoutMs { get; set; } = 300_000;

    public IReadOnlyList<string> SubscribedTopicNames { get; set; } = [];

    public string? SubscribedTopicRegex { get; set; }

    public Regex? CompiledRegex { get; set; }

    /// <summary>The server-side assignor the member asked for; null leaves the choice to the group.</summary>
    public string? ServerAssignor { get; set; }

    public HashSet<TopicPartition> Assigned { get; } = [];

    public HashSet<TopicPartition> Revoking { get; } = [];

    /// <summary>Partitions of the target the member waits for because their previous owner has not released them.</summary>
    public HashSet<TopicPartition> Unreleased { get; } = [];

    /// <summary>The assignment in the last response that carried one, so unchanged ones are not resent.</summary>
    public HashSet<TopicPartition>? LastSentAssignment { get; set; }

    public long SessionDeadlineMs { get; set; }

    /// <summary>When a member that still holds partitions to revoke is removed from the group.</summary>
    public long RevocationDeadlineMs { get; set; } = long.MaxValue;

    /// <summary>A static member that left with epoch -2: its partitions wait for its instance id to come back.</summary>
    public bool LeftStatic { get; set; }

    /// <summary>The partitions the member may use now: its assignment without those it is giving up.</summary>
    public IEnumerable<TopicPartition> Usable => Assigned.Where(p => !Revoking.Contains(p));

    /// <summary>Kafka's member states, as ConsumerGroupDescribe and the CLI show them.</summary>
    public string State => Revoking.Count > 0 ? "unrevoked_partitions" : Unreleased.Count > 0 ? "unreleased_partitions" : "stable";

    /// <summary>True when the member subscribes to <paramref name="topic"/> by name or by its regular expression.</summary>
    public bool Subscribes(string topic) =>
        SubscribedTopicNames.Contains(topic, StringComparer.Ordinal) || (CompiledRegex is not null && CompiledRegex.IsMatch(topic));
}

using Streams.Broker.Protocol;

namespace Streams.Broker.Groups.Consumer;

/// <summary>
/// A ConsumerGroupHeartbeat, decoded, with topics by name. Null fields did not change since the member's last
/// heartbeat (KIP-848 sends only what changed).
/// </summary>
internal sealed record ConsumerHeartbeatRequest(
    string GroupId,
    string MemberId,
    int MemberEpoch,
    string? InstanceId,
    string? RackId,
    int RebalanceTimeoutMs,
    IReadOnlyList<string>? SubscribedTopicNames,
    string? SubscribedTopicRegex,
    string? ServerAssignor,
    IReadOnlyCollection<TopicPartition>? OwnedPartitions,
    string ClientId,
    string ClientHost)
{
    /// <summary>The epoch a member sends to join (or rejoin after being fenced).</summary>
    public const int JoinEpoch = 0;

    /// <summary>The epoch a member sends to leave the group.</summary>
    public const int LeaveEpoch = -1;

    /// <summary>The epoch a static member sends to leave for a while, keeping its partitions for its return.</summary>
    public const int StaticLeaveEpoch = -2;
}

/// <summary>What a ConsumerGroupHeartbeat answers; <see cref="Assignment"/> is null when unchanged since the last one sent.</summary>
internal sealed record ConsumerHeartbeatResult(
    ErrorCode Error,
    string? ErrorMessage,
    string? MemberId,
    int MemberEpoch,
    int HeartbeatIntervalMs,
    IReadOnlyCollection<TopicPartition>? Assignment)
{
    public static ConsumerHeartbeatResult Failed(ErrorCode error, string? message = null) => new(error, message, null, 0, 0, null);
}

/// <summary>A consumer group as ConsumerGroupDescribe, DescribeGroups and the CLI show it.</summary>
internal sealed record ConsumerGroupDescription(
    string GroupId,
    string State,
    int GroupEpoch,
    int AssignmentEpoch,
    string AssignorName,
    IReadOnlyList<ConsumerMemberDescription> Members);

/// <summary>One member: its epoch, subscription, current assignment and target assignment.</summary>
internal sealed record ConsumerMemberDescription(
    string MemberId,
    string? InstanceId,
    string? RackId,
    int MemberEpoch,
    string State,
    string ClientId,
    string ClientHost,
    IReadOnlyList<string> SubscribedTopicNames,
    string? SubscribedTopicRegex,
    IReadOnlyCollection<TopicPartition> Assignment,
    IReadOnlyCollection<TopicPartition> TargetAssignment);

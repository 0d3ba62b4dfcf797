using Streams.Broker.Protocol;

namespace Streams.Broker.Groups;

/// <summary>What a JoinGroup answers; only the leader receives <see cref="Members"/>.</summary>
internal sealed record JoinResult(ErrorCode Error, int GenerationId, string? ProtocolName, string LeaderId, string MemberId, IReadOnlyList<JoinedMember> Members)
{
    public static JoinResult Failed(ErrorCode error, string memberId = "") => new(error, -1, null, string.Empty, memberId, []);
}

/// <summary>A member as the leader sees it: its subscription for the selected protocol.</summary>
internal sealed record JoinedMember(string MemberId, string? GroupInstanceId, byte[] Metadata);

/// <summary>What a SyncGroup answers: this member's assignment.</summary>
internal readonly record struct SyncResult(ErrorCode Error, byte[] Assignment)
{
    public static SyncResult Failed(ErrorCode error) => new(error, []);
}

/// <summary>A JoinGroup request, decoded.</summary>
internal sealed record JoinRequest(
    string GroupId,
    string MemberId,
    string? GroupInstanceId,
    string ProtocolType,
    IReadOnlyList<GroupProtocol> Protocols,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    string ClientId,
    string ClientHost,
    bool RequireKnownMemberId);

/// <summary>One protocol (assignor) a member supports, with its subscription bytes.</summary>
internal sealed record GroupProtocol(string Name, byte[] Metadata);

/// <summary>One partition of an OffsetCommit.</summary>
internal readonly record struct OffsetCommitEntry(string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata);

/// <summary>A group as DescribeGroups reports it.</summary>
internal sealed record GroupDescription(ErrorCode Error, string GroupId, string State, string ProtocolType, string ProtocolData, IReadOnlyList<MemberDescription> Members);

internal sealed record MemberDescription(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, byte[] Metadata, byte[] Assignment);

/// <summary>A group as ListGroups reports it; <see cref="Type"/> is "classic" or "consumer" (KIP-848).</summary>
internal sealed record GroupListing(string GroupId, string ProtocolType, string State, string Type)
{
    /// <summary>Kafka's name for the group type of the JoinGroup/SyncGroup protocol.</summary>
    public const string ClassicType = "classic";
}

namespace Streams.Broker.Groups;

/// <summary>
/// One member of a classic group. Mutated only under its group's lock. A parked JoinGroup or SyncGroup is a
/// <see cref="TaskCompletionSource{T}"/> the request handler awaits outside the lock.
/// </summary>
internal sealed class GroupMember(string memberId, string? groupInstanceId, string clientId, string clientHost, int sessionTimeoutMs, int rebalanceTimeoutMs, IReadOnlyList<GroupProtocol> protocols)
{
    public string MemberId { get; set; } = memberId;

    public string? GroupInstanceId { get; } = groupInstanceId;

    public bool IsStatic => GroupInstanceId is not null;

    public string ClientId { get; set; } = clientId;

    public string ClientHost { get; set; } = clientHost;

    public int SessionTimeoutMs { get; set; } = sessionTimeoutMs;

    public int RebalanceTimeoutMs { get; set; } = rebalanceTimeoutMs;

    /// <summary>In the member's order of preference, which protocol selection relies on.</summary>
    public IReadOnlyList<GroupProtocol> Protocols { get; set; } = protocols;

    public byte[] Assignment { get; set; } = [];

    public TaskCompletionSource<JoinResult>? AwaitingJoin { get; set; }

    public TaskCompletionSource<SyncResult>? AwaitingSync { get; set; }

    /// <summary>
    /// Joined but not yet through a completed join phase. Such members get a long join timeout instead of the
    /// session timeout, and unlike established members they are not kept alive merely by waiting in a rebalance.
    /// </summary>
    public bool IsNew { get; set; }

    public long SessionDeadlineMs { get; set; }

    public byte[]? MetadataFor(string? protocol) => Protocols.FirstOrDefault(p => p.Name == protocol)?.Metadata;

    public bool Supports(string protocol) => Protocols.Any(p => p.Name == protocol);

    /// <summary>Same protocols, same order, same subscription bytes: a rejoin that needs no rebalance.</summary>
    public bool Matches(IReadOnlyList<GroupProtocol> protocols) =>
        protocols.Count == Protocols.Count
        && protocols.Zip(Protocols).All(p => p.First.Name == p.Second.Name && p.First.Metadata.AsSpan().SequenceEqual(p.Second.Metadata));

    /// <summary>Answers a parked JoinGroup, if any.</summary>
    public void CompleteJoin(JoinResult result)
    {
        AwaitingJoin?.TrySetResult(result);
        AwaitingJoin = null;
    }

    /// <summary>Answers a parked SyncGroup, if any.</summary>
    public void CompleteSync(SyncResult result)
    {
        AwaitingSync?.TrySetResult(result);
        AwaitingSync = null;
    }
}

namespace Streams.Broker.Groups;

/// <summary>
/// One group's membership, generation and committed offsets. Every field is guarded by <see cref="Lock"/>; the
/// coordinator never holds it across an await. A group without a protocol type is a "simple" group: it only
/// stores offsets (assign() consumers, AdminClient AlterConsumerGroupOffsets).
/// </summary>
internal sealed class ConsumerGroup(string groupId, long nowMs)
{
    public Lock Lock { get; } = new();

    public string GroupId { get; } = groupId;

    public GroupState State { get; private set; } = GroupState.Empty;

    /// <summary>When <see cref="State"/> last changed; for an Empty group, the start of its offsets' retention.</summary>
    public long StateTimestampMs { get; set; } = nowMs;

    public int GenerationId { get; set; }

    public string? ProtocolType { get; set; }

    public string? ProtocolName { get; set; }

    public string? LeaderId { get; set; }

    /// <summary>Insertion-ordered, so the first member to join leads, as in Kafka.</summary>
    public Dictionary<string, GroupMember> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>group.instance.id → the member id currently holding it.</summary>
    public Dictionary<string, string> StaticMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Member ids handed out with MEMBER_ID_REQUIRED, with the deadline for their second JoinGroup.</summary>
    public Dictionary<string, long> PendingMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Members of the current generation that have not sent SyncGroup yet.</summary>
    public HashSet<string> PendingSync { get; } = new(StringComparer.Ordinal);

    public long JoinDeadlineMs { get; set; } = long.MaxValue;

    /// <summary>While the first rebalance of an Empty group waits for more members: the delay may grow up to here.</summary>
    public long InitialDelayCapMs { get; set; } = long.MaxValue;

    public bool InInitialDelay { get; set; }

    public long SyncDeadlineMs { get; set; } = long.MaxValue;

    public Dictionary<TopicPartition, CommittedOffset> Offsets { get; } = [];

    public bool IsSimple => ProtocolType is null;

    public bool Is(GroupState state) => State == state;

    public void TransitionTo(GroupState state, long nowMs)
    {
        State = state;
        StateTimestampMs = nowMs;
    }

    public int RebalanceTimeoutMs => Members.Count == 0 ? 0 : Members.Values.Max(m => m.RebalanceTimeoutMs);

    public bool AllMembersJoined => PendingMembers.Count == 0 && Members.Values.All(m => m.AwaitingJoin is not null);

    /// <summary>Kafka's supportsProtocols: an empty group takes anything well-formed; otherwise type and one common protocol must match.</summary>
    /// <remarks>The joining member itself (<paramref name="memberId"/>) does not vote with its old protocols, so it may change them.</remarks>
    public bool SupportsProtocols(string protocolType, IReadOnlyList<GroupProtocol> protocols, string memberId)
    {
        if (protocolType.Length == 0 || protocols.Count == 0)
        {
            return false;
        }

        if (State == GroupState.Empty || Members.Count == 0)
        {
            return true;
        }

        return protocolType == ProtocolType
            && protocols.Any(p => Members.Values.All(m => m.MemberId == memberId || m.Supports(p.Name)));
    }

    /// <summary>
    /// Protocols every member supports; each member votes for the first of those in its own order and the most
    /// votes win (ties go to the earliest candidate, which keeps the choice stable between generations).
    /// </summary>
    public string? SelectProtocol()
    {
        if (Members.Count == 0)
        {
            return null;
        }

        var candidates = Members.Values.First().Protocols
            .Select(p => p.Name)
            .Where(name => Members.Values.All(m => m.Supports(name)))
            .ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var votes = Members.Values
            .Select(m => m.Protocols.First(p => candidates.Contains(p.Name)).Name)
            .GroupBy(name => name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return candidates.OrderByDescending(c => votes.GetValueOrDefault(c)).First();
    }

    public void Add(GroupMember member)
    {
        if (Members.Count == 0)
        {
            LeaderId = member.MemberId;
        }

        Members[member.MemberId] = member;
        if (member.GroupInstanceId is { } instanceId)
        {
            StaticMembers[instanceId] = member.MemberId;
        }
    }

    public void Remove(string memberId)
    {
        if (!Members.Remove(memberId, out var member))
        {
            return;
        }

        if (member.GroupInstanceId is { } instanceId && StaticMembers.GetValueOrDefault(instanceId) == memberId)
        {
            StaticMembers.Remove(instanceId);
        }

        PendingSync.Remove(memberId);
        if (LeaderId == memberId)
        {
            LeaderId = Members.Keys.FirstOrDefault();
        }
    }

    /// <summary>Gives a static member its new id; the caller answers the old id's parked requests with FENCED_INSTANCE_ID.</summary>
    public void ReplaceStaticMember(GroupMember member, string newMemberId)
    {
        var oldMemberId = member.MemberId;
        Members.Remove(oldMemberId);
        member.MemberId = newMemberId;
        Members[newMemberId] = member;
        StaticMembers[member.GroupInstanceId!] = newMemberId;
        if (PendingSync.Remove(oldMemberId))
        {
            PendingSync.Add(newMemberId);
        }

        if (LeaderId == oldMemberId)
        {
            LeaderId = newMemberId;
        }
    }

    /// <summary>Topics in the members' subscriptions, or null when a subscription cannot be decoded (then everything counts as subscribed).</summary>
    public HashSet<string>? SubscribedTopics()
    {
        if (ProtocolType != ConsumerProtocol.ProtocolType)
        {
            return null;
        }

        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in Members.Values)
        {
            var metadata = member.MetadataFor(ProtocolName) ?? member.Protocols.FirstOrDefault()?.Metadata;
            var subscribed = metadata is null ? null : ConsumerProtocol.TryReadSubscriptionTopics(metadata);
            if (subscribed is null)
            {
                return null;
            }

            topics.UnionWith(subscribed);
        }

        return topics;
    }
}

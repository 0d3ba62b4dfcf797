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
    public long StateTimestampMs { get; private set; } = nowMs;

    public int GenerationId { get; private set; }

    /// <summary>Set by the first member to join an Empty group; later members must match it.</summary>
    public string? ProtocolType { get; private set; }

    /// <summary>The protocol (assignor) of the current generation; null while there is none.</summary>
    public string? ProtocolName { get; private set; }

    public string? LeaderId { get; private set; }

    /// <summary>Insertion-ordered, so the first member to join leads, as in Kafka.</summary>
    public Dictionary<string, GroupMember> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>group.instance.id → the member id currently holding it.</summary>
    public Dictionary<string, string> StaticMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Member ids handed out with MEMBER_ID_REQUIRED, with the deadline for their second JoinGroup.</summary>
    public Dictionary<string, long> PendingMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Members of the current generation that have not sent SyncGroup yet.</summary>
    public HashSet<string> PendingSync { get; } = new(StringComparer.Ordinal);

    /// <summary>When a PreparingRebalance group stops waiting for members to rejoin.</summary>
    public long JoinDeadlineMs { get; private set; } = long.MaxValue;

    /// <summary>While the first rebalance of an Empty group waits for more members: the delay may grow up to here.</summary>
    private long _initialDelayCapMs = long.MaxValue;

    public bool InInitialDelay { get; private set; }

    /// <summary>When members that still owe a SyncGroup are removed.</summary>
    public long SyncDeadlineMs { get; private set; } = long.MaxValue;

    public Dictionary<TopicPartition, CommittedOffset> Offsets { get; } = [];

    public bool IsSimple => ProtocolType is null;

    /// <summary>Set while the group runs the KIP-848 <c>consumer</c> protocol; null for classic and simple groups.</summary>
    public Consumer.ModernGroupState? Modern { get; private set; }

    /// <summary>
    /// The KIP-848 records of this group last appended to <c>__consumer_offsets</c> (by record id), so each change
    /// appends only what differs, and tombstones once the group stops being a consumer group or is deleted.
    /// </summary>
    public Dictionary<string, Consumer.StoredRecord> WrittenConsumerRecords { get; set; } = new(StringComparer.Ordinal);

    /// <summary>True when members of either protocol are in the group, so offsets belong to them, not to admin tools.</summary>
    public bool HasMembers => Members.Count > 0 || PendingMembers.Count > 0 || Modern is { Members.Count: > 0 };

    /// <summary>
    /// Turns an Empty group (new, simple, or classic without members) into a KIP-848 consumer group; its offsets
    /// stay. Kafka converts an empty classic group the same way.
    /// </summary>
    public Consumer.ModernGroupState BecomeModern(long nowMs)
    {
        if (State != GroupState.Empty || Members.Count > 0)
        {
            throw new InvalidOperationException($"Group {GroupId} can only become a consumer group while Empty, not {State}.");
        }

        ProtocolType = Consumer.ModernGroupState.ProtocolTypeName;
        StateTimestampMs = nowMs;
        return Modern = new Consumer.ModernGroupState();
    }

    /// <summary>Restarts the Empty clock of a consumer group whose last member left (offsets retention counts from here).</summary>
    public void TouchEmpty(long nowMs) => StateTimestampMs = nowMs;

    /// <summary>Turns an Empty consumer group back into a plain Empty group, so a classic member may take it over.</summary>
    public void LeaveModern()
    {
        Modern = null;
    }

    public bool Is(GroupState state) => State == state;

    /// <summary>The only way the state changes; see <see cref="GroupStates.CanTransition"/> for what is allowed.</summary>
    /// <exception cref="InvalidOperationException">The transition is not one Kafka's state machine allows (a bug).</exception>
    public void TransitionTo(GroupState state, long nowMs)
    {
        if (!GroupStates.CanTransition(State, state))
        {
            throw new InvalidOperationException($"Group {GroupId} cannot go from {State} to {state}.");
        }

        State = state;
        StateTimestampMs = nowMs;
    }

    /// <summary>What <c>__consumer_offsets</c> remembers of a group, applied at start-up before anyone joins.</summary>
    public void Restore(string? protocolType, int generationId, long stateTimestampMs)
    {
        if (State != GroupState.Empty || Members.Count > 0)
        {
            throw new InvalidOperationException($"Group {GroupId} can only be restored while Empty without members, not {State} with {Members.Count}.");
        }

        ProtocolType = protocolType;
        GenerationId = generationId;
        StateTimestampMs = stateTimestampMs;
    }

    /// <summary>
    /// Enters PreparingRebalance: members must rejoin by <see cref="JoinDeadlineMs"/>. The first rebalance of an
    /// Empty group instead waits <paramref name="initialDelayMs"/> for more members (Kafka's
    /// group.initial.rebalance.delay.ms), growing with each newcomer but never past the rebalance timeout:
    /// consumers started together arrive a few ms apart, and waiting a little saves a rebalance per newcomer.
    /// </summary>
    public void PrepareRebalance(long nowMs, int initialDelayMs)
    {
        var wasEmpty = State == GroupState.Empty;
        TransitionTo(GroupState.PreparingRebalance, nowMs);
        PendingSync.Clear();
        SyncDeadlineMs = long.MaxValue;
        if (wasEmpty && initialDelayMs > 0)
        {
            InInitialDelay = true;
            _initialDelayCapMs = nowMs + RebalanceTimeoutMs;
            JoinDeadlineMs = Math.Min(nowMs + initialDelayMs, _initialDelayCapMs);
        }
        else
        {
            InInitialDelay = false;
            JoinDeadlineMs = nowMs + RebalanceTimeoutMs;
        }
    }

    /// <summary>A member arrived during the initial delay: wait a little longer for the next one.</summary>
    public void ExtendInitialDelay(long nowMs, int initialDelayMs)
    {
        if (InInitialDelay)
        {
            JoinDeadlineMs = Math.Min(nowMs + initialDelayMs, _initialDelayCapMs);
        }
    }

    /// <summary>
    /// Ends the join phase with the next generation: Empty when nobody is left, otherwise CompletingRebalance with
    /// a leader that rejoined (the old one if it did), the protocol the members agree on, and every member owing a
    /// SyncGroup by the rebalance timeout. Members that did not rejoin must have been removed already.
    /// </summary>
    /// <returns>The new generation's leader, or null when the group became Empty.</returns>
    public string? StartNextGeneration(long nowMs)
    {
        var nextState = Members.Count == 0 ? GroupState.Empty : GroupState.CompletingRebalance;
        TransitionTo(nextState, nowMs);
        InInitialDelay = false;
        JoinDeadlineMs = long.MaxValue;
        GenerationId++;
        if (nextState == GroupState.Empty)
        {
            ProtocolName = null;
            LeaderId = null;
            return null;
        }

        if (LeaderId is null || !Members.TryGetValue(LeaderId, out var leader) || leader.AwaitingJoin is null)
        {
            LeaderId = Members.Values.FirstOrDefault(m => m.AwaitingJoin is not null)?.MemberId ?? LeaderId ?? Members.Keys.First();
        }

        ProtocolName = SelectProtocol();
        PendingSync.UnionWith(Members.Keys);
        SyncDeadlineMs = nowMs + RebalanceTimeoutMs;
        return LeaderId;
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

    /// <summary>Adds a member; the first one into an empty group leads and sets the group's protocol type.</summary>
    public void Add(GroupMember member, string protocolType)
    {
        if (Members.Count == 0)
        {
            LeaderId = member.MemberId;
            ProtocolType = protocolType;
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

using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Streams.Broker.Groups.Consumer;
using Streams.Broker.Protocol;

namespace Streams.Broker.Groups;

/// <summary>
/// The KIP-848 consumer group protocol beside the classic one: ConsumerGroupHeartbeat drives everything. Each
/// change of membership, subscription or subscribed partitions bumps the group epoch; the target assignment is then
/// computed here by the group's assignor; each member converges on its target one heartbeat at a time: first it
/// revokes what it must give up (keeping its epoch), then it is bumped to the assignment epoch and receives the
/// partitions that are free. A partition moves to its new owner only after its previous owner confirmed revoking it.
/// </summary>
internal sealed partial class GroupCoordinator
{
    /// <summary>Kafka's limit on a subscription regex's evaluation, so a pathological pattern cannot stall a heartbeat.</summary>
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    public ConsumerHeartbeatResult ConsumerHeartbeat(ConsumerHeartbeatRequest request)
    {
        if (request.GroupId.Length == 0 || !IsStorableGroupId(request.GroupId))
        {
            return ConsumerHeartbeatResult.Failed(ErrorCode.InvalidRequest, "GroupId can't be empty.");
        }

        if (request.MemberEpoch < ConsumerHeartbeatRequest.StaticLeaveEpoch)
        {
            return ConsumerHeartbeatResult.Failed(ErrorCode.InvalidRequest, "MemberEpoch is invalid.");
        }

        if (request.MemberId.Length == 0 && request.MemberEpoch != ConsumerHeartbeatRequest.JoinEpoch)
        {
            return ConsumerHeartbeatResult.Failed(ErrorCode.InvalidRequest, "MemberId can't be empty.");
        }

        if (request.MemberEpoch == ConsumerHeartbeatRequest.JoinEpoch && request.SubscribedTopicNames is null && request.SubscribedTopicRegex is null)
        {
            return ConsumerHeartbeatResult.Failed(ErrorCode.InvalidRequest, "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
        }

        if (request.ServerAssignor is { } assignor && !_consumerAssignors.Contains(assignor, StringComparer.OrdinalIgnoreCase))
        {
            return ConsumerHeartbeatResult.Failed(ErrorCode.UnsupportedAssignor, $"ServerAssignor {assignor} is not supported. Supported assignors: {string.Join(", ", _consumerAssignors)}.");
        }

        Regex? regex = null;
        if (!string.IsNullOrEmpty(request.SubscribedTopicRegex))
        {
            try
            {
                regex = new Regex(request.SubscribedTopicRegex, RegexOptions.CultureInvariant, RegexTimeout);
            }
            catch (ArgumentException ex)
            {
                return ConsumerHeartbeatResult.Failed(ErrorCode.InvalidRegularExpression, $"SubscribedTopicRegex `{request.SubscribedTopicRegex}` is not a valid regular expression: {ex.Message}.");
            }
        }

        while (true)
        {
            var group = request.MemberEpoch == ConsumerHeartbeatRequest.JoinEpoch ? GetOrCreate(request.GroupId) : _groups.GetValueOrDefault(request.GroupId);
            if (group is null)
            {
                return ConsumerHeartbeatResult.Failed(ErrorCode.UnknownMemberId, $"Member {request.MemberId} is not a member of group {request.GroupId}.");
            }

            lock (group.Lock)
            {
                if (group.Is(GroupState.Dead))
                {
                    continue;
                }

                var now = Now;
                var modern = group.Modern;
                if (modern is null)
                {
                    if (group.HasMembers || !group.Is(GroupState.Empty))
                    {
                        return ConsumerHeartbeatResult.Failed(ErrorCode.GroupIdNotFound, $"Group {request.GroupId} is not a consumer group.");
                    }

                    if (request.MemberEpoch != ConsumerHeartbeatRequest.JoinEpoch)
                    {
                        return ConsumerHeartbeatResult.Failed(ErrorCode.UnknownMemberId, $"Member {request.MemberId} is not a member of group {request.GroupId}.");
                    }

                    modern = group.BecomeModern(now);
                }

                var result = request.MemberEpoch < 0 ? LeaveConsumerGroup(group, modern, request, now) : Heartbeat(group, modern, request, regex, now);
                PersistConsumerGroup(group);
                return result;
            }
        }
    }

    private ConsumerHeartbeatResult LeaveConsumerGroup(ConsumerGroup group, ModernGroupState modern, ConsumerHeartbeatRequest request, long now)
    {
        if (!modern.Members.TryGetValue(request.MemberId, out var member))
        {
            return ConsumerHeartbeatResult.Failed(ErrorCode.UnknownMemberId, $"Member {request.MemberId} is not a member of group {request.GroupId}.");
        }

        if (request.MemberEpoch == ConsumerHeartbeatRequest.StaticLeaveEpoch && member.InstanceId is not null)
        {
            // The static member means to come back: its partitions stay reserved for it until its session expires.
            member.LeftStatic = true;
            LogConsumerMemberLeftStatic(_logger, group.GroupId, member.MemberId, member.InstanceId);
        }
        else
        {
            RemoveConsumerMember(group, modern, member, now, "it left the group");
        }

        return new ConsumerHeartbeatResult(ErrorCode.None, null, request.MemberId, request.MemberEpoch, 0, null);
    }

    private ConsumerHeartbeatResult Heartbeat(ConsumerGroup group, ModernGroupState modern, ConsumerHeartbeatRequest request, Regex? regex, long now)
    {
        ConsumerGroupMember member;
        var changed = false;
        var fullRequest = false;
        if (request.MemberEpoch == ConsumerHeartbeatRequest.JoinEpoch)
        {
            var memberId = request.MemberId.Length == 0 ? Guid.NewGuid().ToString() : request.MemberId;
            if (request.InstanceId is { } instanceId && modern.StaticMembers.TryGetValue(instanceId, out var holderId)
                && holderId != memberId && modern.Members.TryGetValue(holderId, out var holder))
            {
                if (!holder.LeftStatic)
                {
                    return ConsumerHeartbeatResult.Failed(ErrorCode.UnreleasedInstanceId, $"Static member {holderId} with instance id {instanceId} is not released.");
                }

                // The static member is back under a new member id: it takes over the old one's epoch and partitions,
                // and the group needs no new assignment for it.
                member = ReplaceStaticMember(modern, holder, memberId);
            }
            else if (modern.Members.TryGetValue(memberId, out var existing))
            {
                // Rejoining after a fence: the member dropped everything it had, so does the coordinator.
                member = existing;
                member.Assigned.Clear();
                member.Revoking.Clear();
                member.Unreleased.Clear();
                member.PreviousMemberEpoch = -1;
                member.MemberEpoch = 0;
            }
            else
            {
                if (modern.Members.Count >= _maxGroupSize)
                {
                    return ConsumerHeartbeatResult.Failed(ErrorCode.GroupMaxSizeReached, $"The consumer group has reached its maximum capacity of {_maxGroupSize} members.");
                }

                member = new ConsumerGroupMember(memberId);
                modern.Members[memberId] = member;
                changed = true;
                LogConsumerMemberJoined(_logger, group.GroupId, memberId, request.InstanceId);
            }

            member.LastSentAssignment = null;
            fullRequest = true;
        }
        else
        {
            if (!modern.Members.TryGetValue(request.MemberId, out var known))
            {
                return ConsumerHeartbeatResult.Failed(ErrorCode.UnknownMemberId, $"Member {request.MemberId} is not a member of group {request.GroupId}.");
            }

            member = known;
            if (request.MemberEpoch > member.MemberEpoch
                || (request.MemberEpoch < member.MemberEpoch
                    && (request.MemberEpoch != member.PreviousMemberEpoch || (request.OwnedPartitions is { } owned && !owned.All(member.Assigned.Contains)))))
            {
                return ConsumerHeartbeatResult.Failed(ErrorCode.FencedMemberEpoch, $"The consumer group member has a member epoch ({request.MemberEpoch}) different from the one known by the group coordinator ({member.MemberEpoch}).");
            }
        }

        member.LeftStatic = false;
        changed |= UpdateMember(modern, member, request, regex);
        member.SessionDeadlineMs = now + _consumerSessionTimeoutMs;
        if (changed)
        {
            modern.GroupEpoch++;
        }

        RefreshTargetAssignment(group, modern);
        Reconcile(modern, member, request.MemberEpoch, request.OwnedPartitions, now);

        // The assignment goes out when it changed, on a full request (Kafka's rule: a member that rejoins or recovers
        // from an error sends every field), and when the partitions the member acknowledged are not the ones it should
        // have: a client that dropped an assignment (it arrived while it was busy reconciling) gets it again.
        var usable = member.Usable.ToHashSet();
        fullRequest |= request.RebalanceTimeoutMs != -1 && (request.SubscribedTopicNames is not null || request.SubscribedTopicRegex is not null) && request.OwnedPartitions is not null;
        var send = fullRequest || member.LastSentAssignment is null || !member.LastSentAssignment.SetEquals(usable)
            || (request.OwnedPartitions is { } acknowledged && !usable.SetEquals(acknowledged));
        if (send)
        {
            member.LastSentAssignment = usable;
        }

        return new ConsumerHeartbeatResult(ErrorCode.None, null, member.MemberId, member.MemberEpoch, _consumerHeartbeatIntervalMs, send ? usable : null);
    }

    private static ConsumerGroupMember ReplaceStaticMember(ModernGroupState modern, ConsumerGroupMember old, string newMemberId)
    {
        var member = new ConsumerGroupMember(newMemberId)
        {
            MemberEpoch = old.MemberEpoch,
            PreviousMemberEpoch = old.PreviousMemberEpoch,
            InstanceId = old.InstanceId,
            SubscribedTopicNames = old.SubscribedTopicNames,
            SubscribedTopicRegex = old.SubscribedTopicRegex,
            CompiledRegex = old.CompiledRegex,
            ServerAssignor = old.ServerAssignor,
            RebalanceTimeoutMs = old.RebalanceTimeoutMs,
        };
        member.Assigned.UnionWith(old.Assigned);
        member.Revoking.UnionWith(old.Revoking);
        modern.Members.Remove(old.MemberId);
        modern.Members[newMemberId] = member;
        if (modern.TargetAssignment.Remove(old.MemberId, out var target))
        {
            modern.TargetAssignment[newMemberId] = target;
        }

        modern.StaticMembers[old.InstanceId!] = newMemberId;
        return member;
    }

    /// <summary>Applies the fields the heartbeat carries; true when the subscription changed (a new group epoch).</summary>
    private static bool UpdateMember(ModernGroupState modern, ConsumerGroupMember member, ConsumerHeartbeatRequest request, Regex? regex)
    {
        var changed = false;
        member.ClientId = request.ClientId;
        member.ClientHost = request.ClientHost;
        if (request.InstanceId is { } instanceId && member.InstanceId != instanceId)
        {
            member.InstanceId = instanceId;
            modern.StaticMembers[instanceId] = member.MemberId;
        }

        if (request.RackId is not null)
        {
            member.RackId = request.RackId;
        }

        if (request.RebalanceTimeoutMs > 0)
        {
            member.RebalanceTimeoutMs = request.RebalanceTimeoutMs;
        }

        if (request.SubscribedTopicNames is { } names && !names.Order(StringComparer.Ordinal).SequenceEqual(member.SubscribedTopicNames.Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            member.SubscribedTopicNames = [.. names.Distinct(StringComparer.Ordinal)];
            changed = true;
        }

        if (request.SubscribedTopicRegex is { } pattern && pattern != (member.SubscribedTopicRegex ?? string.Empty))
        {
            member.SubscribedTopicRegex = pattern.Length == 0 ? null : pattern;
            member.CompiledRegex = regex;
            changed = true;
        }

        if (request.ServerAssignor is { } assignor && !string.Equals(assignor, member.ServerAssignor, StringComparison.OrdinalIgnoreCase))
        {
            member.ServerAssignor = assignor.ToLowerInvariant();
            changed = true;
        }

        return changed;
    }

    /// <summary>
    /// Recomputes the target assignment when the group epoch moved past it, or when a subscribed topic appeared or
    /// changed its partition count (which bumps the group epoch first).
    /// </summary>
    private void RefreshTargetAssignment(ConsumerGroup group, ModernGroupState modern)
    {
        var subscribed = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in _logs.Topics)
        {
            if (!topic.IsInternal && modern.Members.Values.Any(m => m.Subscribes(topic.Name)))
            {
                subscribed[topic.Name] = topic.Partitions.Count;
            }
        }

        if (!subscribed.SequenceEqual(modern.SubscribedTopics))
        {
            modern.SubscribedTopics = subscribed;
            modern.GroupEpoch++;
        }

        if (modern.AssignmentEpoch >= modern.GroupEpoch)
        {
            return;
        }

        var assignor = PartitionAssignor.Find(ChooseAssignor(modern)) ?? new UniformAssignor();
        var subscriptions = modern.Members.Values.ToDictionary(
            m => m.MemberId,
            m => (IReadOnlySet<string>)subscribed.Keys.Where(m.Subscribes).ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);
        var target = assignor.Assign(subscriptions, subscribed, modern.TargetAssignment);
        modern.TargetAssignment.Clear();
        foreach (var (memberId, partitions) in target)
        {
            modern.TargetAssignment[memberId] = partitions;
        }

        modern.AssignorName = assignor.Name;
        modern.AssignmentEpoch = modern.GroupEpoch;
        LogConsumerTargetAssignment(_logger, group.GroupId, modern.GroupEpoch, assignor.Name, modern.Members.Count);
    }

    /// <summary>The assignor most members ask for; the first of <c>group.consumer.assignors</c> when none asks.</summary>
    private string ChooseAssignor(ModernGroupState modern) =>
        modern.Members.Values.Where(m => m.ServerAssignor is not null).GroupBy(m => m.ServerAssignor!)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault()
        ?? _consumerAssignors[0];

    /// <summary>
    /// Moves one member towards its target. While it owns partitions the target gives to others it must revoke them
    /// first and keeps its epoch; once its heartbeat shows them gone it is bumped to the assignment epoch and gets
    /// the target partitions no other member still owns (the rest follow on later heartbeats, once released).
    /// </summary>
    private static void Reconcile(ModernGroupState modern, ConsumerGroupMember member, int requestEpoch, IReadOnlyCollection<TopicPartition>? owned, long now)
    {
        var target = modern.TargetAssignment.GetValueOrDefault(member.MemberId) ?? [];
        var toRevoke = member.Assigned.Where(p => !target.Contains(p)).ToList();
        if (toRevoke.Count > 0)
        {
            // A revocation counts as done only on a later heartbeat, at the member's current epoch, from a member
            // that was already told to revoke: a member that has not applied its last assignment yet reports none
            // of those partitions as owned, and would otherwise take them up after they had moved (duplicates).
            var told = toRevoke.All(member.Revoking.Contains);
            if (!told || requestEpoch != member.MemberEpoch || owned is null || toRevoke.Any(owned.Contains))
            {
                if (member.Revoking.Count == 0)
                {
                    member.RevocationDeadlineMs = now + member.RebalanceTimeoutMs;
                }

                member.Revoking.Clear();
                member.Revoking.UnionWith(toRevoke);
                return;
            }

            member.Assigned.ExceptWith(toRevoke);
        }

        member.Revoking.Clear();
        member.RevocationDeadlineMs = long.MaxValue;
        if (member.MemberEpoch != modern.AssignmentEpoch)
        {
            member.PreviousMemberEpoch = member.MemberEpoch;
            member.MemberEpoch = modern.AssignmentEpoch;
        }

        member.Unreleased.Clear();
        foreach (var partition in target)
        {
            if (member.Assigned.Contains(partition))
            {
                continue;
            }

            if (modern.OwnerOf(partition, member) is null)
            {
                member.Assigned.Add(partition);
            }
            else
            {
                member.Unreleased.Add(partition);
            }
        }
    }

    private void RemoveConsumerMember(ConsumerGroup group, ModernGroupState modern, ConsumerGroupMember member, long now, string reason)
    {
        modern.Members.Remove(member.MemberId);
        modern.TargetAssignment.Remove(member.MemberId);
        if (member.InstanceId is { } instanceId && modern.StaticMembers.GetValueOrDefault(instanceId) == member.MemberId)
        {
            modern.StaticMembers.Remove(instanceId);
        }

        modern.GroupEpoch++;
        RefreshTargetAssignment(group, modern);
        if (modern.Members.Count == 0)
        {
            // Offsets of an empty group start their retention now, as a classic group's do.
            group.TouchEmpty(now);
        }

        LogConsumerMemberRemoved(_logger, group.GroupId, member.MemberId, reason);
    }

    /// <summary>Session and revocation deadlines of a consumer group's members; called by the deadline loop under the group's lock.</summary>
    private void CheckConsumerDeadlines(ConsumerGroup group, ModernGroupState modern, long now)
    {
        var removed = false;
        foreach (var member in modern.Members.Values.ToList())
        {
            if (member.SessionDeadlineMs <= now)
            {
                RemoveConsumerMember(group, modern, member, now, "its session timed out");
                removed = true;
            }
            else if (member.RevocationDeadlineMs <= now)
            {
                RemoveConsumerMember(group, modern, member, now, "it did not revoke its partitions within its rebalance timeout");
                removed = true;
            }
        }

        if (removed)
        {
            PersistConsumerGroup(group);
        }
    }

    /// <summary>A consumer group with its members, for ConsumerGroupDescribe, DescribeGroups and the CLI; null when the group is not one.</summary>
    public ConsumerGroupDescription? DescribeConsumerGroup(string groupId)
    {
        var group = _groups.GetValueOrDefault(groupId);
        if (group is null)
        {
            return null;
        }

        lock (group.Lock)
        {
            if (group.Modern is not { } modern || group.Is(GroupState.Dead))
            {
                return null;
            }

            return new ConsumerGroupDescription(groupId, modern.State, modern.GroupEpoch, modern.AssignmentEpoch, modern.AssignorName,
                [.. modern.Members.Values.Select(m => new ConsumerMemberDescription(
                    m.MemberId, m.InstanceId, m.RackId, m.MemberEpoch, m.State, m.ClientId, m.ClientHost,
                    m.SubscribedTopicNames, m.SubscribedTopicRegex,
                    [.. Sorted(m.Assigned)], [.. Sorted(modern.TargetAssignment.GetValueOrDefault(m.MemberId) ?? [])]))]);
        }
    }

    private static IEnumerable<TopicPartition> Sorted(IEnumerable<TopicPartition> partitions) =>
        partitions.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition);

    /// <summary>Validates an OffsetCommit against a consumer group's member epochs (Kafka's rules for the new protocol).</summary>
    private static ErrorCode ValidateConsumerCommit(ModernGroupState modern, int memberEpoch, string memberId, int apiVersion)
    {
        if (memberEpoch < 0 && modern.Members.Count == 0)
        {
            // Admin tools and assign() consumers store offsets of an empty group.
            return ErrorCode.None;
        }

        if (!modern.Members.TryGetValue(memberId, out var member))
        {
            return ErrorCode.UnknownMemberId;
        }

        if (apiVersion < ConsumerProtocolOffsetCommitVersion)
        {
            // A member of the new protocol must say which epoch it commits at; older versions cannot.
            return ErrorCode.UnsupportedVersion;
        }

        return memberEpoch == member.MemberEpoch ? ErrorCode.None : ErrorCode.StaleMemberEpoch;
    }

    /// <summary>The first OffsetCommit version whose generation field is a KIP-848 member epoch.</summary>
    internal const int ConsumerProtocolOffsetCommitVersion = 9;

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer group {GroupId}: member {MemberId} (instance {InstanceId}) joined")]
    private static partial void LogConsumerMemberJoined(ILogger logger, string groupId, string memberId, string? instanceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer group {GroupId}: static member {MemberId} (instance {InstanceId}) left for now, keeping its partitions")]
    private static partial void LogConsumerMemberLeftStatic(ILogger logger, string groupId, string memberId, string instanceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer group {GroupId}: removed member {MemberId} because {Reason}")]
    private static partial void LogConsumerMemberRemoved(ILogger logger, string groupId, string memberId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consumer group {GroupId}: target assignment for epoch {GroupEpoch} by the {Assignor} assignor, {Members} members")]
    private static partial void LogConsumerTargetAssignment(ILogger logger, string groupId, int groupEpoch, string assignor, int members);
}

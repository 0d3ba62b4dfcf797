using Microsoft.Extensions.Logging;
using Streams.Broker.Protocol;

namespace Streams.Broker.Groups;

/// <summary>Group administration: ListGroups, DescribeGroups, DeleteGroups.</summary>
internal sealed partial class GroupCoordinator
{
    /// <summary>Every live group; <paramref name="states"/> (case-insensitive) filters when not empty.</summary>
    public IReadOnlyList<GroupListing> ListGroups(IReadOnlyCollection<string> states)
    {
        var listings = new List<GroupListing>();
        foreach (var group in _groups.Values)
        {
            lock (group.Lock)
            {
                var state = group.Modern?.State ?? group.State.ToString();
                if (group.Is(GroupState.Dead) || (states.Count > 0 && !states.Contains(state, StringComparer.OrdinalIgnoreCase)))
                {
                    continue;
                }

                listings.Add(new GroupListing(group.GroupId, group.ProtocolType ?? string.Empty, state,
                    group.Modern is null ? GroupListing.ClassicType : Consumer.ModernGroupState.GroupTypeName));
            }
        }

        return listings;
    }

    /// <summary>True when the coordinator knows a live group of either kind by this id.</summary>
    public bool Exists(string groupId) => _groups.TryGetValue(groupId, out var group) && !group.Is(GroupState.Dead);

    /// <summary>
    /// Subscriptions and assignments are shown only when Stable, as Kafka does: during a rebalance they are in
    /// flux. An unknown group is not an error but a "Dead" one; so is a consumer group, as Kafka 4.x answers
    /// DescribeGroups below v6 for groups that are not classic (ConsumerGroupDescribe describes those).
    /// </summary>
    public GroupDescription DescribeGroup(string groupId)
    {
        var group = _groups.GetValueOrDefault(groupId);
        if (group is null || group.Modern is not null)
        {
            return new GroupDescription(ErrorCode.None, groupId, nameof(GroupState.Dead), string.Empty, string.Empty, []);
        }

        lock (group.Lock)
        {
            var stable = group.Is(GroupState.Stable);
            var members = group.Members.Values
                .Select(m => new MemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
                    stable ? m.MetadataFor(group.ProtocolName) ?? [] : [], stable ? m.Assignment : []))
                .ToList();
            return new GroupDescription(ErrorCode.None, groupId, group.State.ToString(), group.ProtocolType ?? string.Empty,
                stable ? group.ProtocolName ?? string.Empty : string.Empty, members);
        }
    }

    /// <summary>DeleteGroups: only Empty groups go, with their offsets.</summary>
    public ErrorCode DeleteGroup(string groupId)
    {
        var group = groupId.Length == 0 ? null : _groups.GetValueOrDefault(groupId);
        if (group is null)
        {
            return groupId.Length == 0 ? ErrorCode.InvalidGroupId : ErrorCode.GroupIdNotFound;
        }

        lock (group.Lock)
        {
            if (group.Is(GroupState.Dead))
            {
                return ErrorCode.GroupIdNotFound;
            }

            if (!group.Is(GroupState.Empty) || group.HasMembers)
            {
                return ErrorCode.NonEmptyGroup;
            }

            var tombstones = group.Offsets.Keys.Select(p => (OffsetRecords.OffsetKey(groupId, p), (byte[]?)null)).ToList();
            tombstones.Add((OffsetRecords.GroupKey(groupId), null));
            var stored = _store.Append(tombstones);
            if (stored != ErrorCode.None)
            {
                return stored;
            }

            group.Offsets.Clear();
            MarkDead(group);
            LogGroupDeleted(_logger, groupId);
            return ErrorCode.None;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: deleted")]
    private static partial void LogGroupDeleted(ILogger logger, string groupId);
}

using System.Text;
using Microsoft.Extensions.Logging;
using Streams.Broker.Protocol;

namespace Streams.Broker.Groups;

/// <summary>Committed offsets: OffsetCommit, OffsetFetch, OffsetDelete and retention.</summary>
internal sealed partial class GroupCoordinator
{
    /// <summary>OffsetCommit; returns one error per entry, in order.</summary>
    public ErrorCode[] CommitOffsets(string groupId, int generationId, string memberId, string? groupInstanceId, IReadOnlyList<OffsetCommitEntry> entries, int apiVersion = ConsumerProtocolOffsetCommitVersion)
    {
        var errors = new ErrorCode[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            errors[i] = _logs.GetPartition(entry.Topic, entry.Partition) is null ? ErrorCode.UnknownTopicOrPartition
                : entry.Metadata is not null && Encoding.UTF8.GetByteCount(entry.Metadata) > _maxMetadataBytes ? ErrorCode.OffsetMetadataTooLarge
                : ErrorCode.None;
        }

        if (groupId.Length == 0 || !IsStorableGroupId(groupId))
        {
            return Fill(errors, ErrorCode.InvalidGroupId);
        }

        // Each stored offset repeats the group id in its key, so a long id times many entries would build a batch of
        // gigabytes only to have __consumer_offsets refuse it: measure first and answer as Kafka does for a batch
        // over max.message.bytes (INVALID_COMMIT_OFFSET_SIZE), before a byte is allocated.
        if (CommitBatchBytes(groupId, entries, errors) > (_logs.GetTopic(OffsetStore.TopicName)?.Config.MaxMessageBytes ?? DefaultOffsetsMaxMessageBytes))
        {
            return Fill(errors, ErrorCode.InvalidCommitOffsetSize);
        }

        while (true)
        {
            var group = _groups.GetValueOrDefault(groupId);
            if (group is null)
            {
                if (generationId >= 0)
                {
                    return Fill(errors, ErrorCode.IllegalGeneration);
                }

                // Not managed by the coordinator (assign() consumers, AlterConsumerGroupOffsets): a simple group.
                group = GetOrCreate(groupId);
            }

            lock (group.Lock)
            {
                if (group.Is(GroupState.Dead))
                {
                    continue;
                }

                var error = ValidateCommit(group, generationId, memberId, groupInstanceId, apiVersion);
                if (error != ErrorCode.None)
                {
                    return Fill(errors, error);
                }

                var now = Now;
                if (group.Members.TryGetValue(memberId, out var member))
                {
                    member.SessionDeadlineMs = now + member.SessionTimeoutMs;
                }
                else if (group.Modern?.Members.GetValueOrDefault(memberId) is { } consumerMember)
                {
                    consumerMember.SessionDeadlineMs = now + _consumerSessionTimeoutMs;
                }

                var accepted = Enumerable.Range(0, entries.Count).Where(i => errors[i] == ErrorCode.None).ToList();
                var offsets = accepted.Select(i => (Index: i, Partition: new TopicPartition(entries[i].Topic, entries[i].Partition),
                    Offset: new CommittedOffset(entries[i].Offset, entries[i].LeaderEpoch, entries[i].Metadata, now))).ToList();
                var stored = _store.Append([.. offsets.Select(o => (OffsetRecords.OffsetKey(groupId, o.Partition), (byte[]?)OffsetRecords.OffsetValue(o.Offset)))]);
                foreach (var (index, partition, offset) in offsets)
                {
                    if (stored == ErrorCode.None)
                    {
                        group.Offsets[partition] = offset;
                    }
                    else
                    {
                        errors[index] = stored;
                    }
                }

                return errors;
            }
        }
    }

    /// <summary>Kafka's <c>message.max.bytes</c> default, for the offsets topic before it exists.</summary>
    private const int DefaultOffsetsMaxMessageBytes = 1048588;

    /// <summary>
    /// Kafka stores a group id in <c>__consumer_offsets</c> keys as a string with a 16-bit length, so no group id
    /// longer than 32767 UTF-8 bytes can be stored; such a group is refused (INVALID_GROUP_ID) before any work.
    /// </summary>
    internal const int MaxGroupIdBytes = short.MaxValue;

    internal static bool IsStorableGroupId(string groupId) =>
        groupId.Length <= MaxGroupIdBytes / 3 || Encoding.UTF8.GetByteCount(groupId) <= MaxGroupIdBytes;

    /// <summary>An upper estimate of the batch the accepted entries would append (keys, values, record overhead).</summary>
    private static long CommitBatchBytes(string groupId, IReadOnlyList<OffsetCommitEntry> entries, ErrorCode[] errors)
    {
        const int RecordOverhead = 21 + 2 + 2 + 2 + 4 + 2 + 8 + 4 + 2 + 8; // varints and attributes, key and value fixed fields
        long groupBytes = Encoding.UTF8.GetByteCount(groupId);
        long total = 61; // batch header
        string? lastTopic = null;
        long topicBytes = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            if (errors[i] != ErrorCode.None)
            {
                continue;
            }

            var entry = entries[i];
            if (!ReferenceEquals(entry.Topic, lastTopic))
            {
                lastTopic = entry.Topic;
                topicBytes = Encoding.UTF8.GetByteCount(entry.Topic);
            }

            total += RecordOverhead + groupBytes + topicBytes + (entry.Metadata is null ? 0 : Encoding.UTF8.GetByteCount(entry.Metadata));
        }

        return total;
    }

    private static ErrorCode[] Fill(ErrorCode[] errors, ErrorCode error)
    {
        for (var i = 0; i < errors.Length; i++)
        {
            if (errors[i] == ErrorCode.None)
            {
                errors[i] = error;
            }
        }

        return errors;
    }

    private static ErrorCode ValidateCommit(ConsumerGroup group, int generationId, string memberId, string? groupInstanceId, int apiVersion = ConsumerProtocolOffsetCommitVersion)
    {
        if (group.Modern is { } modern)
        {
            return ValidateConsumerCommit(modern, generationId, memberId, apiVersion);
        }

        if (generationId < 0 && group.Is(GroupState.Empty))
        {
            // The group only uses the coordinator to store offsets. This is also why AlterConsumerGroupOffsets
            // (generation -1, no member) works on an Empty group and fails with UNKNOWN_MEMBER_ID on an active one.
            return ErrorCode.None;
        }

        var error = ValidateMember(group, memberId, groupInstanceId);
        if (error != ErrorCode.None)
        {
            return error;
        }

        if (generationId != group.GenerationId)
        {
            return ErrorCode.IllegalGeneration;
        }

        // In PreparingRebalance cooperative members keep consuming and committing, so only the short window in
        // which the new assignment is being distributed refuses commits.
        return group.Is(GroupState.CompletingRebalance) ? ErrorCode.RebalanceInProgress : ErrorCode.None;
    }

    /// <summary>OffsetFetch: the committed offset of each partition (null = none); all of the group's when <paramref name="partitions"/> is null.</summary>
    public IReadOnlyList<(TopicPartition Partition, CommittedOffset? Offset)> FetchOffsets(string groupId, IReadOnlyList<TopicPartition>? partitions)
    {
        var group = _groups.GetValueOrDefault(groupId);
        if (group is null)
        {
            return partitions is null ? [] : [.. partitions.Select(p => (p, (CommittedOffset?)null))];
        }

        lock (group.Lock)
        {
            if (partitions is null)
            {
                return [.. group.Offsets.OrderBy(o => o.Key.Topic, StringComparer.Ordinal).ThenBy(o => o.Key.Partition).Select(o => (o.Key, (CommittedOffset?)o.Value))];
            }

            return [.. partitions.Select(p => (p, group.Offsets.TryGetValue(p, out var offset) ? offset : (CommittedOffset?)null))];
        }
    }

    /// <summary>
    /// OffsetFetch v9's member check (Kafka's <c>ConsumerGroup.validateOffsetFetch</c>): a request naming a member of a
    /// consumer group must carry that member's current epoch (else STALE_MEMBER_EPOCH; an unknown member is
    /// UNKNOWN_MEMBER_ID). Without member id and epoch (admin tools, older clients), and for classic or unknown groups,
    /// every fetch is accepted.
    /// </summary>
    public ErrorCode ValidateOffsetFetch(string groupId, string? memberId, int memberEpoch)
    {
        if (memberId is null && memberEpoch < 0)
        {
            return ErrorCode.None;
        }

        var group = _groups.GetValueOrDefault(groupId);
        if (group is null)
        {
            return ErrorCode.None;
        }

        lock (group.Lock)
        {
            if (group.Modern is not { } modern || group.Is(GroupState.Dead))
            {
                return ErrorCode.None;
            }

            return memberId is null || !modern.Members.TryGetValue(memberId, out var member) ? ErrorCode.UnknownMemberId
                : member.MemberEpoch == memberEpoch ? ErrorCode.None
                : ErrorCode.StaleMemberEpoch;
        }
    }

    /// <summary>OffsetDelete: refuses partitions of topics an active group is subscribed to.</summary>
    public (ErrorCode Error, IReadOnlyList<(TopicPartition Partition, ErrorCode Error)> Partitions) DeleteOffsets(string groupId, IReadOnlyList<TopicPartition> partitions)
    {
        var group = groupId.Length == 0 ? null : _groups.GetValueOrDefault(groupId);
        if (group is null)
        {
            return (groupId.Length == 0 ? ErrorCode.InvalidGroupId : ErrorCode.GroupIdNotFound, []);
        }

        lock (group.Lock)
        {
            if (group.Is(GroupState.Dead))
            {
                return (ErrorCode.GroupIdNotFound, []);
            }

            var active = !group.Is(GroupState.Empty) || group.HasMembers;
            if (active && group.ProtocolType != ConsumerProtocol.ProtocolType)
            {
                return (ErrorCode.NonEmptyGroup, []);
            }

            var subscribed = group.Modern is { Members.Count: > 0 } modern ? new HashSet<string>(modern.SubscribedTopics.Keys, StringComparer.Ordinal)
                : active ? group.SubscribedTopics() : [];
            var results = new List<(TopicPartition, ErrorCode)>(partitions.Count);
            var tombstones = new List<(byte[] Key, byte[]? Value)>();
            foreach (var partition in partitions)
            {
                if (_logs.GetPartition(partition.Topic, partition.Partition) is null)
                {
                    results.Add((partition, ErrorCode.UnknownTopicOrPartition));
                }
                else if (active && (subscribed is null || subscribed.Contains(partition.Topic)))
                {
                    results.Add((partition, ErrorCode.GroupSubscribedToTopic));
                }
                else
                {
                    if (group.Offsets.ContainsKey(partition))
                    {
                        tombstones.Add((OffsetRecords.OffsetKey(groupId, partition), null));
                    }

                    results.Add((partition, ErrorCode.None));
                }
            }

            var stored = _store.Append(tombstones);
            if (stored != ErrorCode.None)
            {
                return (stored, []);
            }

            foreach (var (partition, error) in results)
            {
                if (error == ErrorCode.None)
                {
                    group.Offsets.Remove(partition);
                }
            }

            return (ErrorCode.None, results);
        }
    }

    /// <summary>
    /// KIP-211 retention: a consumer group's offsets expire <c>offsets.retention.minutes</c> after it became Empty
    /// (never while it has members); a simple group's expire per commit. An Empty group with nothing left goes away.
    /// </summary>
    private void ExpireOffsets(long now)
    {
        foreach (var group in _groups.Values)
        {
            lock (group.Lock)
            {
                if (!group.Is(GroupState.Empty) || group.HasMembers)
                {
                    continue;
                }

                var expired = group.IsSimple
                    ? [.. group.Offsets.Where(o => now - o.Value.CommitTimestampMs >= _retentionMs).Select(o => o.Key)]
                    : now - group.StateTimestampMs >= _retentionMs ? group.Offsets.Keys.ToList() : [];
                if (expired.Count > 0
                    && _store.Append([.. expired.Select(p => (OffsetRecords.OffsetKey(group.GroupId, p), (byte[]?)null))]) == ErrorCode.None)
                {
                    expired.ForEach(p => group.Offsets.Remove(p));
                    LogOffsetsExpired(_logger, group.GroupId, expired.Count);
                }

                if (group.Offsets.Count == 0 && group.PendingMembers.Count == 0
                    && (group.IsSimple || _store.Append([(OffsetRecords.GroupKey(group.GroupId), null)]) == ErrorCode.None))
                {
                    MarkDead(group);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: {Count} committed offsets expired")]
    private static partial void LogOffsetsExpired(ILogger logger, string groupId, int count);
}

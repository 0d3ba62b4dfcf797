using Streams.Broker.Protocol;

namespace Streams.Broker.Groups;

/// <summary>The group side of transactions: KIP-447 member checks for TxnOffsetCommit, and storing offsets at commit.</summary>
internal sealed partial class GroupCoordinator
{
    /// <summary>
    /// TxnOffsetCommit v3+ (KIP-447): the sender must still be a member of the group's current generation, so a zombie
    /// processor whose partitions moved to another member cannot commit offsets for them. Generation -1 (v0-2) is not checked.
    /// </summary>
    public ErrorCode ValidateTransactionalCommit(string groupId, int generationId, string memberId, string? groupInstanceId)
    {
        if (generationId < 0 && string.IsNullOrEmpty(memberId))
        {
            return ErrorCode.None;
        }

        var group = _groups.GetValueOrDefault(groupId);
        if (group is null)
        {
            return generationId >= 0 ? ErrorCode.IllegalGeneration : ErrorCode.None;
        }

        lock (group.Lock)
        {
            return ValidateCommit(group, generationId, memberId, groupInstanceId);
        }
    }

    /// <summary>
    /// Stores the offsets of a committed transaction. They were checked when sent (TxnOffsetCommit); the group may
    /// have rebalanced since, which must not lose them, so no member check here (as Kafka applies them on the marker).
    /// </summary>
    public ErrorCode ApplyTransactionalOffsets(string groupId, IReadOnlyCollection<OffsetCommitEntry> entries)
    {
        while (true)
        {
            var group = _groups.GetValueOrDefault(groupId) ?? GetOrCreate(groupId);
            lock (group.Lock)
            {
                if (group.Is(GroupState.Dead))
                {
                    continue;
                }

                var now = Now;
                var offsets = entries.Select(e => (Partition: new TopicPartition(e.Topic, e.Partition), Offset: new CommittedOffset(e.Offset, e.LeaderEpoch, e.Metadata, now))).ToList();
                var stored = _store.Append([.. offsets.Select(o => (OffsetRecords.OffsetKey(groupId, o.Partition), (byte[]?)OffsetRecords.OffsetValue(o.Offset)))]);
                if (stored == ErrorCode.None)
                {
                    foreach (var (partition, offset) in offsets)
                    {
                        group.Offsets[partition] = offset;
                    }
                }

                return stored;
            }
        }
    }
}

using Streams.Broker.Protocol;

namespace Streams.Broker.Groups;

/// <summary>
/// The group side of transactions: KIP-447 member checks for TxnOffsetCommit, the partitions whose offsets an open
/// transaction holds (OffsetFetch RequireStable answers UNSTABLE_OFFSET_COMMIT for them), and storing offsets at commit.
/// </summary>
internal sealed partial class GroupCoordinator
{
    private readonly Lock _pendingLock = new();

    /// <summary>group id → transactional id → partitions with offsets pending in that transaction.</summary>
    private readonly Dictionary<string, Dictionary<string, HashSet<TopicPartition>>> _pendingTransactionalOffsets = new(StringComparer.Ordinal);

    /// <summary>Records that the open transaction of <paramref name="transactionalId"/> holds offsets of these partitions.</summary>
    public void AddPendingTransactionalOffsets(string groupId, string transactionalId, IEnumerable<TopicPartition> partitions)
    {
        lock (_pendingLock)
        {
            if (!_pendingTransactionalOffsets.TryGetValue(groupId, out var byTransaction))
            {
                byTransaction = new Dictionary<string, HashSet<TopicPartition>>(StringComparer.Ordinal);
                _pendingTransactionalOffsets[groupId] = byTransaction;
            }

            if (!byTransaction.TryGetValue(transactionalId, out var held))
            {
                held = [];
                byTransaction[transactionalId] = held;
            }

            held.UnionWith(partitions);
        }
    }

    /// <summary>The transaction ended: its offsets are stored (commit, called after <see cref="ApplyTransactionalOffsets"/>) or dropped.</summary>
    public void ClearPendingTransactionalOffsets(string groupId, string transactionalId)
    {
        lock (_pendingLock)
        {
            if (_pendingTransactionalOffsets.TryGetValue(groupId, out var byTransaction) && byTransaction.Remove(transactionalId) && byTransaction.Count == 0)
            {
                _pendingTransactionalOffsets.Remove(groupId);
            }
        }
    }

    /// <summary>The partitions of a group whose offsets some open transaction holds (empty for most groups).</summary>
    public IReadOnlySet<TopicPartition> PendingTransactionalPartitions(string groupId)
    {
        lock (_pendingLock)
        {
            return _pendingTransactionalOffsets.TryGetValue(groupId, out var byTransaction)
                ? byTransaction.Values.SelectMany(p => p).ToHashSet()
                : new HashSet<TopicPartition>();
        }
    }
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

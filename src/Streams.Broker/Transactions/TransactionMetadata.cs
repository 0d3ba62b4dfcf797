using Streams.Broker.Groups;

namespace Streams.Broker.Transactions;

/// <summary>
/// One transactional id's state. Guarded by <see cref="Lock"/>: a transactional produce checks and appends under it,
/// and EndTxn writes its markers under it, so no batch can slip in after a marker.
/// </summary>
internal sealed class TransactionMetadata(string transactionalId, long producerId, short producerEpoch, int timeoutMs)
{
    public Lock Lock { get; } = new();

    public string TransactionalId { get; } = transactionalId;

    public long ProducerId { get; set; } = producerId;

    public short ProducerEpoch { get; set; } = producerEpoch;

    public int TimeoutMs { get; set; } = timeoutMs;

    public TransactionState State { get; set; } = TransactionState.Empty;

    /// <summary>When the open transaction began (its first AddPartitionsToTxn/AddOffsetsToTxn); -1 when none is open.</summary>
    public long StartTimeMs { get; set; } = -1;

    public long LastUpdateMs { get; set; }

    /// <summary>The partitions written in the open transaction: each gets a marker when it ends.</summary>
    public HashSet<TopicPartition> Partitions { get; } = [];

    /// <summary>
    /// Consumer offsets sent with TxnOffsetCommit, per group and partition: stored in the group only when the
    /// transaction commits, dropped when it aborts (Kafka's pending transactional offsets).
    /// </summary>
    public Dictionary<string, Dictionary<TopicPartition, OffsetCommitEntry>> PendingOffsets { get; } = new(StringComparer.Ordinal);

    public bool IsCompleting => State is TransactionState.PrepareCommit or TransactionState.PrepareAbort;
}

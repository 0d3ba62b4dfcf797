using Streams.Broker.Protocol;

namespace Streams.Broker.Storage;

/// <summary>Operator views and actions on the producers of a partition: DescribeProducers and WriteTxnMarkers.</summary>
internal sealed partial class Partition
{
    /// <summary>The producers with state here: id, epoch, last sequence and timestamp, and the first offset of the open transaction (-1 when none).</summary>
    public IReadOnlyList<ProducerDescription> DescribeProducers()
    {
        lock (_lock)
        {
            return [.. _producers.Describe().Select(p => new ProducerDescription(p.ProducerId, p.Epoch, p.LastSequence, p.LastAppendMs, p.CoordinatorEpoch, _transactions.FirstOffsetOf(p.ProducerId)))];
        }
    }

    /// <summary>
    /// WriteTxnMarkers from outside the coordinator (an operator ending a hanging transaction): refused with
    /// INVALID_PRODUCER_EPOCH when the producer has since moved to a newer epoch here, and with
    /// TRANSACTION_COORDINATOR_FENCED when a marker of a newer coordinator epoch was already written for it, as Kafka's
    /// partition leader does.
    /// </summary>
    public AppendResult WriteRequestedMarker(long producerId, short producerEpoch, bool commit, int coordinatorEpoch)
    {
        lock (_lock)
        {
            if (_producers.EpochOf(producerId) is { } current && producerEpoch < current)
            {
                return AppendResult.Failed(ErrorCode.InvalidProducerEpoch, $"epoch {producerEpoch} is older than the current epoch {current} of producer {producerId}");
            }

            if (_producers.CoordinatorEpochOf(producerId) is var seen && coordinatorEpoch < seen)
            {
                return AppendResult.Failed(ErrorCode.CoordinatorTransactionFenced, $"coordinator epoch {coordinatorEpoch} is older than {seen}, of the last marker of producer {producerId}");
            }

            // The lock is re-entrant: the check and the marker cannot be split by an append.
            return WriteTransactionMarker(producerId, producerEpoch, commit, coordinatorEpoch);
        }
    }
}

/// <summary>One producer of a partition as DescribeProducers shows it.</summary>
internal readonly record struct ProducerDescription(long ProducerId, short Epoch, int LastSequence, long LastTimestamp, int CoordinatorEpoch, long CurrentTransactionStartOffset);

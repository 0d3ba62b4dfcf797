using Streams.Broker.Protocol;

namespace Streams.Broker.Transactions;

/// <summary>What InitProducerId answers for a transactional id.</summary>
internal readonly record struct InitProducerIdResult(ErrorCode Error, long ProducerId, short ProducerEpoch)
{
    public static InitProducerIdResult Failed(ErrorCode error) => new(error, -1, -1);
}

/// <summary>A transactional id's state as operators see it (DescribeTransactions, ListTransactions).</summary>
internal sealed record TransactionDescription(
    string TransactionalId, long ProducerId, short ProducerEpoch, int TimeoutMs, TransactionState State, long StartTimeMs, IReadOnlyList<Groups.TopicPartition> Partitions);

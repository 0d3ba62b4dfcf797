namespace Streams.Broker.Transactions;

/// <summary>The states of a transactional id, as Kafka names them (DescribeTransactions and ListTransactions report these names).</summary>
internal enum TransactionState : byte
{
    /// <summary>Initialized, no transaction open.</summary>
    Empty = 0,

    /// <summary>Partitions or a group were added: the transaction is open.</summary>
    Ongoing = 1,

    /// <summary>EndTxn(commit) accepted; markers being written. Completed on restart if the broker died here.</summary>
    PrepareCommit = 2,

    /// <summary>EndTxn(abort) or a timeout accepted; markers being written. Completed on restart.</summary>
    PrepareAbort = 3,

    CompleteCommit = 4,

    CompleteAbort = 5,
}

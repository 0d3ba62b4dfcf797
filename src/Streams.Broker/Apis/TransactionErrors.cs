using Streams.Broker.Protocol;

namespace Streams.Broker.Apis;

/// <summary>Error codes of the transaction APIs as each version knows them.</summary>
internal static class TransactionErrors
{
    /// <summary>
    /// PRODUCER_FENCED exists for clients from InitProducerId v4 / EndTxn v2 / AddPartitionsToTxn v2 / AddOffsetsToTxn v2 /
    /// TxnOffsetCommit v3 on; older versions get INVALID_PRODUCER_EPOCH, which they treat the same way (fenced).
    /// </summary>
    public static ErrorCode ForVersion(ErrorCode error, short version, short fencedFrom) =>
        error == ErrorCode.ProducerFenced && version < fencedFrom ? ErrorCode.InvalidProducerEpoch : error;
}

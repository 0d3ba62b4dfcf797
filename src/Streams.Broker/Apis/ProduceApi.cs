using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Streams.Broker.Observability;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Records;
using Streams.Broker.Security.Authorization;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// Produce (0), v3-10: v3 record batches (magic 2), v5 LogStartOffset, v7 zstd, v8 RecordErrors/ErrorMessage (KIP-467:
/// the records that got a batch refused, e.g. a null key on a compacted topic or a timestamp out of range), v9
/// flexible, v10 the CurrentLeader/NodeEndpoints tags, which only NOT_LEADER_OR_FOLLOWER answers carry: never here.
/// acks=0 gets no response. Internal topics are written by the broker only (INVALID_TOPIC_EXCEPTION, as Kafka). With one replica, acks=1 and acks=all both mean "appended to this node's log"; the
/// write reaches the OS before the answer, so it survives a process crash (fsync follows <c>flush.messages</c>/<c>flush.ms</c>).
/// Authorization: a TransactionalId needs Write on it (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED for every
/// partition), each topic needs Write (else TOPIC_AUTHORIZATION_FAILED for its partitions, nothing appended; checked
/// before existence, as Kafka, so no principal learns which topics exist by producing).
/// </summary>
internal sealed partial class ProduceApi : ApiHandler<ProduceRequest, ProduceResponse>
{
    public override ValueTask<ProduceResponse> HandleAsync(RequestContext context, ProduceRequest request)
    {
        // TransactionalId: only authorized here; the batch's producer id finds its transaction. TimeoutMs:
        // replication wait, meaningless on one node.
        var version = context.ApiVersion;
        var acks = request.Acks;
        ILogger? logger = null;
        var validAcks = acks is -1 or 0 or 1;
        var response = new ProduceResponse();
        var transactionDenied = request.TransactionalId is { } transactionalId
            && !context.Authorize(AclOperation.Write, AclResourceType.TransactionalId, transactionalId);
        foreach (var topic in request.TopicData)
        {
            var topicResponse = new ProduceResponse.Topic { Name = topic.Name };
            var denied = transactionDenied ? ErrorCode.TransactionalIdAuthorizationFailed
                : !context.Authorize(AclOperation.Write, AclResourceType.Topic, topic.Name, topic.PartitionData.Count) ? ErrorCode.TopicAuthorizationFailed
                : ErrorCode.None;
            foreach (var partitionData in topic.PartitionData)
            {
                var result = !validAcks ? AppendResult.Failed(ErrorCode.InvalidRequiredAcks, $"acks must be -1, 0 or 1, got {acks}")
                    : denied != ErrorCode.None ? AppendResult.Failed(denied, null)
                    : Append(context, topic.Name, partitionData, version);
                if (result.Error != ErrorCode.None)
                {
                    // Made only when needed: CreateLogger<T> formats the type's name and locks the factory on every call.
                    logger ??= context.Broker.LoggerFactory.CreateLogger<ProduceApi>();
                    LogRejected(logger, topic.Name, partitionData.Index, context.ClientId, result.Error, result.Message);
                }

                topicResponse.PartitionResponses.Add(new ProduceResponse.Partition
                {
                    Index = partitionData.Index,
                    ErrorCode = result.Error,
                    BaseOffset = result.BaseOffset,
                    LogAppendTimeMs = result.LogAppendTime,
                    LogStartOffset = result.LogStartOffset,
                    ErrorMessage = result.Error == ErrorCode.None ? null : result.Message,
                    RecordErrors = [.. (result.RecordErrors ?? []).Select(e => new ProduceResponse.RecordError { BatchIndex = e.BatchIndex, BatchIndexErrorMessage = e.Message })],
                });
            }

            response.Responses.Add(topicResponse);
        }

        context.SuppressResponse = acks == 0;
        return ValueTask.FromResult(response);
    }

    private static AppendResult Append(RequestContext context, string topic, ProduceRequest.Partition data, short version)
    {
        if (TopicNames.IsInternal(topic))
        {
            // The coordinator owns these records; one written by a client could corrupt every group on restart.
            return AppendResult.Failed(ErrorCode.InvalidTopicException, $"Cannot append to internal topic {topic}");
        }

        var partition = context.Broker.Logs.GetPartition(topic, data.Index);
        if (partition is null)
        {
            return AppendResult.Failed(ErrorCode.UnknownTopicOrPartition, $"This server does not host this topic-partition: {topic}-{data.Index}");
        }

        try
        {
            // The batches are a slice of the pooled request frame: Append rewrites their offsets in place, no copy.
            var batches = data.Records is MemoryRecordSet records ? records.Batches : ReadOnlyMemory<byte>.Empty;
            if (batches.Length >= RecordBatchHeader.Size && (BinaryPrimitives.ReadInt16BigEndian(batches.Span[RecordBatchHeader.AttributesOffset..]) & RecordBatchHeader.TransactionalFlagMask) != 0)
            {
                // A transactional batch goes in only for a partition added to its producer's open transaction, and
                // under that transaction's lock, so it cannot land after the transaction's marker.
                var producerId = BinaryPrimitives.ReadInt64BigEndian(batches.Span[RecordBatchHeader.ProducerIdOffset..]);
                var producerEpoch = BinaryPrimitives.ReadInt16BigEndian(batches.Span[RecordBatchHeader.ProducerEpochOffset..]);
                return Counted(topic, batches, context.Broker.Transactions.AppendTransactional(partition, producerId, producerEpoch, () => partition.Append(batches, allowZstd: version >= 7)));
            }

            return Counted(topic, batches, partition.Append(batches, allowZstd: version >= 7));
        }
        catch (ObjectDisposedException)
        {
            return AppendResult.Failed(ErrorCode.UnknownTopicOrPartition, $"Topic {topic} was deleted during the write");
        }
        catch (IOException ex)
        {
            return AppendResult.Failed(ErrorCode.KafkaStorageError, ex.Message);
        }
    }

    private static AppendResult Counted(string topic, ReadOnlyMemory<byte> batches, AppendResult result)
    {
        if (result.Error == ErrorCode.None)
        {
            BrokerMetrics.Appended(topic, batches.Span);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected produce to {Topic}-{Partition} from {ClientId}: {Error} {Reason}")]
    private static partial void LogRejected(ILogger logger, string topic, int partition, string? clientId, ErrorCode error, string? reason);
}
